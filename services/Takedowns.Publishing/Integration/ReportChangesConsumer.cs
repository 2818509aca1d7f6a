using Marten;
using Takedowns.Contracts.Reports;
using Takedowns.Publishing.Patterns;
using Takedowns.ServiceDefaults;
using Takedowns.ServiceDefaults.Parking;

namespace Takedowns.Publishing.Integration;

/// <summary>
/// Keeps each incident's standing reports and counts the incident in the cell of its earliest standing report, for the
/// reports consented to public statistics. Each report has a stream of its own that says where it counts and as of
/// which revision, so a redelivered or overtaken message changes nothing; an amendment moves the report (and perhaps
/// the incident's count) to where it now belongs. Concurrent changes to one stream fail the optimistic check and are
/// retried.
/// </summary>
public sealed class ReportChangesConsumer(
    IDocumentStore store, NewStreams<PublicReport> reportStreams, NewStreams<PublicIncident> incidentStreams, ILogger<ReportChangesConsumer> logger,
    Parked parked)
    : ReportChangeConsumer(store, parked, logger)
{
    protected override Task SubmittedAsync(IDocumentSession session, ReportSubmitted m, CancellationToken ct)
    {
        var incidentId = IncidentOf(m);
        return PlaceAsync(session, m.ReportId, revision: 1, m.PublicStatistics
            ? new IncidentReportAdded(incidentId, m.ReportId, m.OccurredOn, m.Country, m.Platform, m.Category, m.SubjectType, m.Action)
            : null, ct);
    }

    /// <summary>
    /// A run of new reports in one transaction: the run's report and incident streams that exist found in one query and fetched,
    /// each report placed as <see cref="PlaceAsync"/> would place it, the new streams started set-based and appends to
    /// incidents already known made through Marten, all committed together. A report seen before (a redelivery) changes
    /// nothing; a stream another transaction started or appended to meanwhile fails the run, which is then applied report
    /// by report.
    /// </summary>
    protected override async Task SubmittedManyAsync(IReadOnlyList<ReportSubmitted> run, CancellationToken ct)
    {
        await using var unit = await StreamsTransaction.BeginAsync(Store, ct);
        var reports = await unit.FetchKnownForWritingAsync<PublicReport>(run.Select(m => m.ReportId).ToList(), ct);
        var incidents = await unit.FetchKnownForWritingAsync<PublicIncident>(run.Select(IncidentOf).ToList(), ct);
        var newReports = new List<NewStream>(run.Count);
        var newIncidents = new List<NewStream>(run.Count);
        for (int i = 0; i < run.Count; i++)
        {
            // Revision 1 is news only to a report not known at all: such a report counts in no incident yet.
            if (!PublicReport.Accepts(reports.GetValueOrDefault(run[i].ReportId)?.Aggregate, 1))
            {
                Logger.LogDebug("Report {ReportId} revision 1 is not newer than what is known; ignored", run[i].ReportId);
                continue;
            }
            var m = run[i];
            var counted = m.PublicStatistics ? new IncidentReportAdded(IncidentOf(m), m.ReportId, m.OccurredOn, m.Country, m.Platform, m.Category, m.SubjectType, m.Action) : null;
            if (counted is not null)
            {
                var known = incidents.GetValueOrDefault(counted.IncidentId);
                var events = PublicIncidentDecisions.Add(known?.Aggregate, counted);
                if (known?.Aggregate is null) newIncidents.Add(new NewStream(counted.IncidentId, events));
                else if (events.Length > 0) known.AppendMany(events);
            }
            newReports.Add(new NewStream(m.ReportId, [new PublicReportPlaced(m.ReportId, 1, counted?.IncidentId)]));
        }
        await unit.StartAllAsync(reportStreams, newReports, ct);
        await unit.StartAllAsync(incidentStreams, newIncidents, ct);
        await unit.CommitAsync(ct);
    }

    protected override Task RevisedAsync(IDocumentSession session, ReportRevised m, CancellationToken ct)
    {
        return PlaceAsync(session, m.ReportId, m.Revision, m.PublicStatistics
            ? new IncidentReportAdded(m.IncidentId, m.ReportId, m.OccurredOn, m.Country, m.Platform, m.Category, m.SubjectType, m.Action)
            : null, ct);
    }

    protected override async Task WithdrawnAsync(IDocumentSession session, ReportWithdrawn m, CancellationToken ct)
    {
        var report = await session.Events.FetchForWriting<PublicReport>(m.ReportId, ct);
        if (report.Aggregate?.Retracted == true) return;
        // Where it counts; a report counted before reports had streams of their own is found in the incident the message names.
        if ((report.Aggregate is null ? m.IncidentId : report.Aggregate.CountedIn) is { } incidentId)
            await AppendAsync(session, incidentId, i => PublicIncidentDecisions.Remove(i, m.ReportId, retracted: true), ct);
        report.AppendOne(new PublicReportRetracted(m.ReportId));
        await session.SaveChangesAsync(ct);
    }

    /// <summary>Puts the report, as of a revision, where it belongs: in an incident's count, or (null) in none.</summary>
    private async Task PlaceAsync(IDocumentSession session, Guid reportId, long revision, IncidentReportAdded? counted, CancellationToken ct)
    {
        var report = await session.Events.FetchForWriting<PublicReport>(reportId, ct);
        if (!PublicReport.Accepts(report.Aggregate, revision))
        {
            Logger.LogDebug("Report {ReportId} revision {Revision} is not newer than what is known; ignored", reportId, revision);
            return;
        }
        var from = report.Aggregate?.CountedIn;
        if (from is not null && from == counted?.IncidentId)
        {
            await AppendAsync(session, from.Value, i => i is null ? PublicIncidentDecisions.Add(i, counted) : PublicIncidentDecisions.Revise(i, counted), ct);
        }
        else
        {
            if (from is not null) await AppendAsync(session, from.Value, i => PublicIncidentDecisions.Remove(i, reportId, retracted: false), ct);
            if (counted is not null) await AppendAsync(session, counted.IncidentId, i => PublicIncidentDecisions.Add(i, counted), ct);
        }
        report.AppendOne(new PublicReportPlaced(reportId, revision, counted?.IncidentId));
        await session.SaveChangesAsync(ct);
    }

    private static async Task AppendAsync(IDocumentSession session, Guid incidentId, Func<PublicIncident?, object[]> decide, CancellationToken ct)
    {
        var incident = await session.Events.FetchForWriting<PublicIncident>(incidentId, ct);
        var events = decide(incident.Aggregate);
        if (events.Length > 0) incident.AppendMany(events);
    }
}
