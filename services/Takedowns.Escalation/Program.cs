using Takedowns.Escalation.Cases;
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
});
builder.AddMessaging(ServiceName, bus =>
{
    bus.AddConsumer<OrganisationKeyConsumer>(typeof(OrganisationKeyConsumerDefinition));
    bus.AddConsumer<ReportCasesConsumer>(typeof(ReportCasesConsumerDefinition));
});
builder.Services.AddSingleton<IApiKeyResolver, OrganisationKeyResolver>();
builder.Services.AddSingleton(PacketSigner.FromConfiguration(builder.Configuration));

var app = builder.Build();
app.UseServiceDefaults();
app.MapSigningKeys();
app.Run();
