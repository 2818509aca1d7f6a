using Marten;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Integration;
using Takedowns.Correlation.Series;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Integration;

/// <summary>
/// Pages of different organisations that report the same incidents, taken at once (several instances, or one that takes
/// pages concurrently), race to start the incidents' streams. The loser's run is applied again one report at a time:
/// no page fails, every report is observed once, and every incident is observed once with every report linked to it.
/// The consumer runs in the in-memory bus; the event store is the service's, on PostgreSQL.
/// </summary>
public sealed class ConcurrentPagesTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    private const int Pages = 6;
    private const int IncidentsPerPage = 120;

    [Fact]
    public async Task pages_naming_the_same_new_incidents_at_once_all_land_and_each_incident_is_observed_once()
    {
        var logs = new LogCapture();
        await using var provider = new ServiceCollection()
            .AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Information))
            .AddSingleton(host.Services.GetRequiredService<IDocumentStore>())
            .AddSingleton(host.Services.GetRequiredService<NewStreams<ObservedReport>>())
            .AddSingleton(host.Services.GetRequiredService<NewStreams<ObservedIncident>>())
            .AddSingleton(host.Services.GetRequiredService<Takedowns.ServiceDefaults.Parking.Parked>())
            .AddMassTransitTestHarness(x => x.AddConsumer<ReportChangesConsumer>(c => c.ConcurrentMessageLimit = Pages))
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        harness.TestInactivityTimeout = TimeSpan.FromSeconds(10);
        await harness.Start();

        var incidents = Enumerable.Range(0, IncidentsPerPage).Select(_ => Guid.NewGuid()).ToList();
        var pages = Enumerable.Range(0, Pages)
            .Select(p => incidents.Select(i => Submissions.Report(country: "KG") with { IncidentId = i, ReportedAt = DateTimeOffset.UtcNow.AddMinutes(p) }).ToList())
            .ToList();
        await Task.WhenAll(pages.Select(page =>
            harness.Bus.Publish(new ReportChanges(page.Select(r => new ReportChange(Guid.NewGuid(), Submitted: r)).ToList()))));

        Assert.True(await harness.Consumed.Any<ReportChanges>());
        await harness.InactivityTask;
        Assert.Equal(Pages, harness.Consumed.Select<ReportChanges>().Count());
        Assert.False(await harness.Published.Any<Fault<ReportChanges>>(), "a page failed:\n" + logs.Text);
        // The race is what this test is about: with every page holding the same new incidents, at least one run lost it.
        Assert.Contains("applying them one by one", logs.Text);

        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        foreach (var r in pages.SelectMany(p => p))
            Assert.IsType<ReportObserved>(Assert.Single(await session.Events.FetchStreamAsync(r.ReportId)).Data);
        foreach (var (incident, n) in incidents.Select((id, n) => (id, n)))
        {
            var events = (await session.Events.FetchStreamAsync(incident)).Select(e => e.Data).ToList();
            Assert.Single(events.OfType<IncidentObserved>());
            Assert.Equal(pages.Select(p => p[n].ReportId).Order(), events.OfType<IncidentReportLinked>().Select(l => l.ReportId).Order());
            // Whoever started the stream, and whoever appended to it, it reads back as Marten's own.
            await StartedStreams.AssertAsMartenWritesAsync<ObservedIncident>(session, incident);
        }
        await harness.Stop();
    }
}
