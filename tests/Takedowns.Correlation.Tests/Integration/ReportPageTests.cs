using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Series;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Integration;

/// <summary>
/// A page of new reports (what an import sends) is stored a run at a time: the runs must give exactly what the reports
/// applied one by one give, also when the page repeats a report seen before, names one incident twice, or comes twice.
/// </summary>
public sealed class ReportPageTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    [Fact]
    public async Task a_page_of_new_reports_is_observed_once_per_report_and_counts_each_incident_once_even_when_delivered_twice()
    {
        var bus = host.Services.GetRequiredService<IBus>();
        var seenBefore = Submissions.Report(country: "TJ");
        await bus.PublishIntegrationEvent(new ReportChanges([new ReportChange(Guid.NewGuid(), Submitted: seenBefore)]), Guid.NewGuid(), CancellationToken.None);
        await Queues.WaitUntilDrainedAsync(host.VirtualHost);

        var fresh = Enumerable.Range(0, 6).Select(_ => Submissions.Report(country: "TJ")).ToList();
        var sharedIncident = Guid.NewGuid();
        var first = Submissions.Report(country: "TJ") with { IncidentId = sharedIncident };
        var second = Submissions.Report(country: "TJ") with { IncidentId = sharedIncident, ReportedAt = first.ReportedAt.AddHours(3) };
        // The second report of the incident ends the first run; the report seen before sits inside one.
        ReportSubmitted[] page = [fresh[0], fresh[1], first, fresh[2], seenBefore, fresh[3], second, fresh[4], fresh[5]];
        var changes = new ReportChanges(page.Select(r => new ReportChange(Guid.NewGuid(), Submitted: r)).ToList());
        await bus.PublishIntegrationEvent(changes, Guid.NewGuid(), CancellationToken.None);
        await bus.PublishIntegrationEvent(changes, Guid.NewGuid(), CancellationToken.None); // delivered again
        await Queues.WaitUntilDrainedAsync(host.VirtualHost);

        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        foreach (var r in page.Distinct())
        {
            var events = await session.Events.FetchStreamAsync(r.ReportId);
            Assert.Equal(r.ReportId, Assert.IsType<ReportObserved>(Assert.Single(events).Data).ReportId);
        }
        var incident = await session.Events.FetchStreamAsync(sharedIncident);
        Assert.Equal([first.ReportId, second.ReportId], incident.Select(e => e.Data).OfType<IncidentReportLinked>().Select(l => l.ReportId));
        Assert.Equal(first.ReportId, Assert.Single(incident.Select(e => e.Data).OfType<IncidentObserved>()).FirstReportId);
        foreach (var r in fresh.Append(seenBefore))
        {
            var own = await session.Events.FetchStreamAsync(NameBasedGuid.IncidentOf(r.ReportId));
            Assert.Single(own.Select(e => e.Data).OfType<IncidentObserved>());
        }
        // Streams a run started set-based read back through Marten as its own: versions in order, sequence numbers
        // rising with them, the stream's version its last event's, and the inline snapshot what the events make.
        foreach (var id in fresh.Select(r => NameBasedGuid.IncidentOf(r.ReportId)).Append(sharedIncident))
            await StartedStreams.AssertAsMartenWritesAsync<ObservedIncident>(session, id);
    }
}
