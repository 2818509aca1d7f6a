using JasperFx.Events.Projections;
using Takedowns.Publishing.Campaigns;
using Takedowns.Publishing.Feeds;
using Takedowns.Publishing.Integration;
using Takedowns.Publishing.Patterns;
using Takedowns.Publishing.Restoration;
using Takedowns.Publishing.Spikes;
using Takedowns.Publishing.Statistics;
using Takedowns.ServiceDefaults;

const string ServiceName = "publishing";

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ServiceName);
builder.AddEventStore(ServiceName, o =>
{
    o.Projections.Add<PatternCellProjection>(ProjectionLifecycle.Async, EventStoreExtensions.InPages);
    PublicDocuments(o);
});
// The public routes read through IQuerySession: from a replica, when one is configured.
builder.AddReplicaReads(ServiceName, PublicDocuments);
builder.AddMessaging(ServiceName, bus =>
{
    bus.AddConsumer<ReportChangesConsumer>(typeof(ReportChangeConsumerDefinition<ReportChangesConsumer>));
    bus.AddConsumer<SpikeConsumer>();
    bus.AddConsumer<CampaignConsumer>(typeof(CampaignConsumerDefinition));
    bus.AddConsumer<RemedyOutcomesConsumer>(typeof(RemedyOutcomesConsumerDefinition));
});
builder.Services.AddMediator((Mediator.MediatorOptions o) =>
{
    o.ServiceLifetime = ServiceLifetime.Scoped;
    o.PipelineBehaviors = [typeof(TimingBehaviour<,>)];
});
builder.Services.AddSingleton(sp => new NewStreams<PublicReport>(sp.GetRequiredService<Marten.IDocumentStore>(), snapshots: false));
builder.Services.AddSingleton(sp => new NewStreams<PublicIncident>(sp.GetRequiredService<Marten.IDocumentStore>(), snapshots: false));
builder.Services.AddSingleton<ProtectedTables>();
builder.Services.AddSingleton<Releases>();
builder.Services.AddHostedService<ReleaseSchedule>();
builder.Services.Configure<PublishingOptions>(builder.Configuration.GetSection(PublishingOptions.Section));

var app = builder.Build();
app.UseServiceDefaults();
app.MapGetPatterns();
app.MapAggregation();
app.MapPublicFeed();
app.MapReleases();
app.MapOpenData();
app.MapPublicRestoration();
app.MapPublicSpikes();
app.MapPublicCampaigns();
app.Run();

static void PublicDocuments(Marten.StoreOptions o)
{
    o.Schema.For<PatternCell>().Index(c => c.Day);
    // Detections and ends of one spike may be consumed at once: the later write fails its version check and is retried.
    o.Schema.For<PublicSpike>().Index(s => s.Start).UseOptimisticConcurrency(true);
    o.Schema.For<PublicCampaign>().Index(c => c.LastSeen);
    o.Schema.For<PublicRelease>();
    o.Schema.For<PublicOutcome>();
    o.Schema.For<ReleaseBlock>().Index(b => b.Release).Index(b => b.Period);
}
