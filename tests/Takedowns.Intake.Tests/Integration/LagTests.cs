using System.Net;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.ServiceDefaults;
using Takedowns.ServiceDefaults.Parking;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Integration;

public sealed class LagHost : IntakeHost
{
    protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        [PipelineMonitor.IntervalSetting] = "00:00:00.200",
        [PipelineMonitor.LagLimitSetting] = "00:00:02",
    };
}

/// <summary>
/// A publish that no queue would take fails loudly (it is mandatory), so the outbox keeps the change instead of losing it;
/// readiness then says the outbox lags, and which; once a queue is bound the change goes out and readiness recovers.
/// </summary>
public sealed class LagTests(LagHost host) : IClassFixture<LagHost>
{
    private async Task<string> ReadyAsync()
    {
        using var response = await host.CreateClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // degraded is still ready
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task an_unroutable_change_is_kept_the_outbox_is_said_to_lag_and_it_goes_out_once_a_queue_is_bound()
    {
        var bus = host.Services.GetRequiredService<IBus>();
        await Assert.ThrowsAnyAsync<Exception>(() =>
            bus.PublishIntegrationEvent(new Contracts.Reports.ReportChanges([]), Guid.NewGuid(), TestContext.Current.CancellationToken));

        var org = await host.RegisterOrganisationAsync();
        Guid reportId;
        using (var response = await host.CreateClient(org.ApiKey).SendAsync(IntakeHost.NewReport(SampleReports.Body())))
            reportId = await IntakeHost.ReportIdOf(response);

        string degraded = await Eventually.Until(ReadyAsync, b => b.Contains("\"Degraded\"") && b.Contains("report-forwarder"), TimeSpan.FromSeconds(30),
            "readiness to say the outbox lags");
        Assert.Contains("Behind by more than", degraded);

        await Inspect.BindCaptureQueueAsync(host.VirtualHost, "Takedowns.Contracts.Reports:ReportChanges", "capture-late");
        await Eventually.Until(() => Inspect.AllMessagesAsync(host.VirtualHost), m => m.Any(b => b.Contains(reportId.ToString())), TimeSpan.FromSeconds(60),
            "the kept change to go out");
        await Eventually.Until(ReadyAsync, b => b.Contains("\"status\":\"Healthy\""), TimeSpan.FromSeconds(30), "readiness to recover");
    }
}
