using JasperFx.Events.Projections;
using Takedowns.Correlation.Calendar;
using Takedowns.Correlation.Integration;
using Takedowns.Correlation.Series;
using Takedowns.ServiceDefaults;

const string ServiceName = "correlation";

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ServiceName);
builder.AddEventStore(ServiceName, o =>
{
    o.Projections.Snapshot<ObservedIncident>(SnapshotLifecycle.Inline);
    o.Projections.Snapshot<CivicPeriod>(SnapshotLifecycle.Inline);
    o.Projections.Add<SliceDayProjection>(ProjectionLifecycle.Async);
    o.Projections.Add<ReportingDelaysProjection>(ProjectionLifecycle.Async);
    o.Schema.For<SliceDay>().Index(c => c.Day);
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
app.MapCivicPeriods();
app.Run();
