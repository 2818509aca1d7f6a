using JasperFx.Events.Projections;
using Marten.Events.Projections;
using Takedowns.Escalation.Campaigns;
using Takedowns.Escalation.Cases;
using Takedowns.Escalation.Integration;
using Takedowns.Escalation.Packets;
using Takedowns.Escalation.Remedies;
using Takedowns.Escalation.Signing;
using Takedowns.ServiceDefaults;

const string ServiceName = "escalation";

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ServiceName);
builder.AddEventStore(ServiceName, o =>
{
    o.Schema.For<OrganisationKey>();
    o.Schema.For<CaseFile>().Index(c => c.OrganisationId);
    o.Schema.For<Forgotten>();
    o.Schema.For<OrganisationName>();
    o.Schema.For<CampaignFile>();
    o.Projections.Snapshot<Packet>(SnapshotLifecycle.Inline);
    o.Schema.For<Packet>().Index(p => p.UpdatedAt);
    o.Schema.For<FrozenPacket>().Index(f => f.PacketId);
})
.AddSubscriptionWithServices<OutcomeForwarder>(ServiceLifetime.Singleton, o =>
{
    o.Name = OutcomeForwarder.SubscriptionName;
    EventStoreExtensions.InPages(o.Options);
    foreach (var type in OutcomeForwarder.EventTypes) o.IncludeType(type);
});
builder.AddMessaging(ServiceName, bus =>
{
    bus.AddConsumer<OrganisationKeyConsumer>(typeof(OrganisationKeyConsumerDefinition));
    bus.AddConsumer<ReportCasesConsumer>(typeof(ReportCasesConsumerDefinition));
    bus.AddConsumer<OrganisationNameConsumer>();
    bus.AddConsumer<CampaignConsumer>(typeof(CampaignConsumerDefinition));
});
builder.Services.AddSingleton<IApiKeyResolver, OrganisationKeyResolver>();
builder.Services.AddSingleton(PacketSigner.FromConfiguration(builder.Configuration));
// Read and checked now: a routes table with a rule naming a missing route stops the service here, not a draft later.
_ = RemedyRoutes.Shipped;

var app = builder.Build();
app.UseServiceDefaults();
app.MapSigningKeys();
app.MapPacketSchema();
app.MapPackets();
app.MapPacketLifecycle();
app.MapRemedyTimes();
app.Run();
