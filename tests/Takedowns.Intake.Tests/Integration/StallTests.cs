using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Takedowns.Intake.Reports;
using Takedowns.ServiceDefaults.Parking;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Integration;

/// <summary>A subscription whose first page never ends on its own: it waits until its agent is stopped.</summary>
public sealed class HangingSubscription : ParkingSubscription
{
    public const string SubscriptionName = "hanging";

    public HangingSubscription(Parked parked) : base(SubscriptionName, parked, NullLogger.Instance) => Name = SubscriptionName;

    private int _calls;

    /// <summary>The highest event a page of this subscription ended on.</summary>
    public long Processed { get; private set; }

    protected override async Task<IChangeListener> ProcessAsync(EventRange page, IDocumentOperations operations, bool trial, CancellationToken ct)
    {
        if (Interlocked.Increment(ref _calls) == 1) await Task.Delay(Timeout.Infinite, ct);
        Processed = Math.Max(Processed, page.SequenceCeiling);
        return NullChangeListener.Instance;
    }
}

public sealed class StallHost : IntakeHost
{
    protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        [PipelineMonitor.IntervalSetting] = "00:00:00.200",
        [PipelineMonitor.StallLimitSetting] = "00:00:02",
    };

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<HangingSubscription>();
        services.ConfigureMarten((sp, o) => o.Projections.Subscribe(sp.GetRequiredService<HangingSubscription>(), s => s.IncludeType<TakedownReported>()));
    }
}

/// <summary>
/// A subscription whose page never ends is neither failed nor paused, so the daemon would wait on it for ever: the service
/// notices that it has not moved with events waiting, restarts it, and its events are processed.
/// </summary>
public sealed class StallTests(StallHost host) : IClassFixture<StallHost>
{
    [Fact]
    public async Task a_subscription_that_stands_still_with_events_waiting_is_restarted_and_moves_on()
    {
        var org = await host.RegisterOrganisationAsync();
        using (var response = await host.CreateClient(org.ApiKey).SendAsync(IntakeHost.NewReport(SampleReports.Body())))
            await IntakeHost.ReportIdOf(response);
        long reported;
        await using (var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession())
            reported = (await session.Events.QueryAllRawEvents().Where(e => e.EventTypeName == "takedown_reported").ToListAsync()).Max(e => e.Sequence);

        var hanging = host.Services.GetRequiredService<HangingSubscription>();
        var monitor = host.Services.GetRequiredService<PipelineMonitor>();
        await Eventually.Until(() => Task.FromResult(hanging.Processed), p => p >= reported, TimeSpan.FromSeconds(60),
            "the hanging subscription to be restarted and process the report");
        Assert.True(monitor.Restarts >= 1, "it moved on without being restarted");
    }
}
