using JasperFx.Events.Projections;
using Takedowns.Correlation.Integration;
using Takedowns.Correlation.Series;
using Takedowns.ServiceDefaults;

const string ServiceName = "correlation";

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ServiceName);
builder.AddEventStore(ServiceName, o =>
{
    o.Projections.Snapshot<ObservedIncident>(JasperFx.Events.Projections.SnapshotLifecycle.Inline);
    o.Projections.Add<DailySliceCountProjection>(ProjectionLifecycle.Async);
    o.Schema.For<DailySliceCount>().Index(c => c.Day);
});
builder.AddMessaging(ServiceName, bus => bus.AddConsumer<ReportChangesConsumer>());
builder.Services.AddMediator((Mediator.MediatorOptions o) =>
{
    o.ServiceLifetime = ServiceLifetime.Scoped;
    o.PipelineBehaviors = [typeof(TimingBehaviour<,>)];
});

var app = builder.Build();
app.UseServiceDefaults();
app.MapGetSeries();
app.Run();
