using Takedowns.Intake.Imports;
using Takedowns.Intake.Integration;
using Takedowns.Intake.Organisations;
using Takedowns.Intake.Reports;
using Takedowns.Intake.Webhooks;
using Takedowns.ServiceDefaults;

const string ServiceName = "intake";

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ServiceName);
builder.AddEventStore(ServiceName, o =>
    {
        o.Projections.Snapshot<Report>(JasperFx.Events.Projections.SnapshotLifecycle.Inline);
        o.Projections.Snapshot<Organisation>(JasperFx.Events.Projections.SnapshotLifecycle.Inline);
        o.Schema.For<IdempotencyRecord>();
        o.Schema.For<ApiKey>();
        o.Schema.For<ReporterKey>();
        o.Schema.For<EvidenceFile>();
        o.Schema.For<IncidentIndex>();
        o.Schema.For<ReportIncident>();
        o.Schema.For<ImportJob>().Index(j => j.Status);
        o.Schema.For<ImportChunk>().Index(c => c.ImportId);
        o.Schema.For<Report>().Index(r => r.OrganisationId).Index(r => r.ReportedAt);
        o.Schema.For<WebhookSource>().Index(s => s.OrganisationId);
    })
    .AddSubscriptionWithServices<ReportForwarder>(ServiceLifetime.Singleton, o =>
    {
        o.Name = ReportForwarder.SubscriptionName;
        EventStoreExtensions.InPages(o.Options);
        o.IncludeType<TakedownReported>();
        o.IncludeType<ReportAmended>();
        o.IncludeType<ReportRetracted>();
    })
    .AddSubscriptionWithServices<ApiKeyForwarder>(ServiceLifetime.Singleton, o =>
    {
        o.Name = ApiKeyForwarder.SubscriptionName;
        foreach (var type in ApiKeyForwarder.EventTypes) o.IncludeType(type);
    })
    .AddSubscriptionWithServices<CaseForwarder>(ServiceLifetime.Singleton, o =>
    {
        o.Name = CaseForwarder.SubscriptionName;
        EventStoreExtensions.InPages(o.Options);
        foreach (var type in CaseForwarder.EventTypes) o.IncludeType(type);
    });
builder.AddMessaging(ServiceName);
builder.Services.AddMediator((Mediator.MediatorOptions o) =>
{
    o.ServiceLifetime = ServiceLifetime.Scoped;
    o.PipelineBehaviors = [typeof(TimingBehaviour<,>)];
});
builder.Services.AddSingleton<IApiKeyResolver, ApiKeyResolver>();
builder.Services.Configure<ImportOptions>(builder.Configuration.GetSection(ImportOptions.Section));
builder.Services.AddSingleton<ImportSignal>();
builder.Services.AddSingleton<NewReportStreams>();
builder.Services.AddSingleton<IncidentRows>();
builder.Services.AddSingleton<ReportWriter>();
builder.Services.AddMemoryCache();
builder.Services.AddSingleton<SecretProtector>();
builder.Services.AddSingleton<ReporterKeys>();
builder.Services.ConfigureSwaggerGen(o => o.SchemaFilter<ReportExamples>());
builder.Services.AddSingleton<WebhookSourceCache>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<ReportWriter>());
builder.Services.AddHostedService<ImportWorker>();

var app = builder.Build();
_ = app.Services.GetRequiredService<SecretProtector>(); // refuse to start without the secrets key
_ = app.Services.GetRequiredService<ReporterKeys>(); // nor with a reporter key that is not one
app.UseServiceDefaults();
app.MapOrganisations();
app.MapWebhookSources();
app.MapWebhookSourceManagement();
app.MapApiKeys();
app.MapReceiveWebhook();
app.MapSubmitReport();
app.MapGetReport();
app.MapEraseReporterData();
app.MapListReports();
app.MapAmendReport();
app.MapReportLifecycle();
app.MapEvidence();
app.MapReportHistory();
app.MapImports();
app.MapReporterKeys();
app.Run();
