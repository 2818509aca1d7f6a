using JasperFx.Events.Projections;
using Takedowns.Correlation.Calendar;
using Takedowns.Correlation.Campaigns;
using Takedowns.Correlation.Integration;
using Takedowns.Correlation.Series;
using Takedowns.Correlation.Spikes;
using Takedowns.ServiceDefaults;

const string ServiceName = "correlation";

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ServiceName);
builder.AddEventStore(ServiceName, o =>
{
    o.Projections.Snapshot<CivicPeriod>(SnapshotLifecycle.Inline);
    o.Projections.Add<SliceDayProjection>(ProjectionLifecycle.Async, EventStoreExtensions.InPages);
    o.Projections.Add<SeriesChangesProjection>(ProjectionLifecycle.Async, EventStoreExtensions.InPages);
    o.Projections.Add<ReportingDelaysProjection>(ProjectionLifecycle.Async, EventStoreExtensions.InPages);
    o.Projections.Snapshot<Spike>(SnapshotLifecycle.Inline);
    o.Schema.For<SliceDay>().Index(c => c.Day).Index(c => c.Country);
    o.Schema.For<Spike>().Index(s => s.Start).Index(s => s.Country);
    // Async: the campaign documents have one writer, in the order of events, whether detection or an analyst appended them.
    o.Projections.Snapshot<Campaign>(SnapshotLifecycle.Async, EventStoreExtensions.InPages);
    o.Schema.For<Campaign>().Index(c => c.RaisedAt);
    o.Schema.For<NoticeProfile>();
    o.Schema.For<CandidateCluster>().Index(c => c.CampaignId);
    PostgresCampaignBackend.AddTables(o);
    o.Schema.For<OrganisationKey>();
    o.Schema.For<RemedyRecord>();
})
.AddSubscriptionWithServices<CampaignLinker>(ServiceLifetime.Singleton, o =>
{
    o.Name = CampaignLinker.SubscriptionName;
    o.Options.BatchSize = CampaignLinker.PageSize;
    foreach (var type in CampaignLinker.EventTypes) o.IncludeType(type);
})
.AddSubscriptionWithServices<AnalysisForwarder>(ServiceLifetime.Singleton, o =>
{
    o.Name = AnalysisForwarder.SubscriptionName;
    EventStoreExtensions.InPages(o.Options);
    foreach (var type in AnalysisForwarder.EventTypes) o.IncludeType(type);
});
builder.AddMessaging(ServiceName, bus =>
{
    bus.AddConsumer<ReportChangesConsumer>(typeof(ReportChangeConsumerDefinition<ReportChangesConsumer>));
    bus.AddConsumer<OrganisationKeyConsumer>(typeof(OrganisationKeyConsumerDefinition));
    bus.AddConsumer<RemedyOutcomesConsumer>(typeof(RemedyOutcomesConsumerDefinition));
});
builder.Services.AddMediator((Mediator.MediatorOptions o) =>
{
    o.ServiceLifetime = ServiceLifetime.Scoped;
    o.PipelineBehaviors = [typeof(TimingBehaviour<,>)];
});

builder.Services.AddSingleton<IApiKeyResolver, OrganisationKeyResolver>();
builder.Services.AddSingleton(sp => new NewStreams<ObservedReport>(sp.GetRequiredService<Marten.IDocumentStore>(), snapshots: false));
builder.Services.AddSingleton(sp => new NewStreams<ObservedIncident>(sp.GetRequiredService<Marten.IDocumentStore>(), snapshots: false));
builder.Services.Configure<DetectionOptions>(builder.Configuration.GetSection(DetectionOptions.Section));
builder.Services.AddSingleton<SpikeScanner>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<SpikeScanner>());

var app = builder.Build();
app.UseServiceDefaults();
app.MapGetSeries();
app.MapCivicPeriods();
app.MapCivicCoincidence();
app.MapGetSpikes();
app.MapCampaigns();
app.Run();
