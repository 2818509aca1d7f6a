using Takedowns.Testing;

namespace Takedowns.EndToEnd;

/// <summary>
/// Stops the shared broker, so it runs with the fault suite (<c>infra/test --faults</c>), never beside other tests whose
/// own calls to the broker would meet the outage.
/// </summary>
[Collection(SystemCollection.Name)]
[Trait("Suite", "Faults")]
public sealed class BrokerOutageTests(RunningSystem system)
{
    private readonly Steps _steps = new(system);

    [Fact]
    public async Task reports_acknowledged_while_the_broker_is_down_arrive_exactly_once_after_it_returns()
    {
        var org = await _steps.RegisterOrganisationAsync("Outage organisation");

        await Broker.StopAsync();
        try
        {
            for (int i = 0; i < 5; i++)
                await _steps.SubmitAsync(org, SampleReports.Body(country: "MN", occurredAt: "2023-09-12"));
            // Acknowledged, stored, and not yet delivered anywhere.
            Assert.Equal(0, await _steps.SeriesTotalAsync("MN", "2023-09-01", "2023-09-30"));
        }
        finally
        {
            await Broker.StartAsync();
        }

        const string query = "groupBy=country&grain=month&from=2023-09-01&to=2023-09-30";
        var rows = await Eventually.Until(() => _steps.PatternRowsAsync(query), r => Steps.CountOf(r, "MN") >= 5,
            TimeSpan.FromSeconds(90), "the reports to reach Publishing after the outage");
        Assert.Equal(5, await Eventually.Until(() => _steps.SeriesTotalAsync("MN", "2023-09-01", "2023-09-30"), n => n >= 5,
            TimeSpan.FromSeconds(60), "the reports to reach Correlation"));

        // Exactly once: with every queue drained, nothing more arrives.
        await _steps.SettledAsync();
        Assert.Equal(5, Steps.CountOf(await _steps.PatternRowsAsync(query), "MN"));
        Assert.Equal(5, await _steps.SeriesTotalAsync("MN", "2023-09-01", "2023-09-30"));
        Assert.Equal(5, await Database.ScalarAsync($"select count(*) from \"{system.Schema("publishing")}\".mt_events"
            + " where type = 'incident_report_added' and data->>'country' = 'MN' and data->>'occurredOn' like '2023-09-%'"));
    }
}
