using Marten;
using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Series;
using Takedowns.ServiceDefaults;
using Takedowns.ServiceDefaults.Parking;

namespace Takedowns.Correlation.Integration;

/// <summary>
/// Records each report (a stream per report: where it belongs, as of which revision) and counts each incident in the
/// slice of its earliest standing report (a stream per incident). A redelivered or overtaken message changes nothing;
/// an amendment moves the report, and perhaps the incident's count, to where it now belongs. Concurrent changes to one
/// stream fail the optimistic check and are retried.
/// </summary>
public sealed class ReportChangesConsumer(
    IDocumentStore store, NewStreams<ObservedReport> reportStreams, NewStreams<ObservedIncident> incidentStreams, ILogger<ReportChangesConsumer> logger,
    Parked parked)
    : ReportChangeConsumer(store, parked, logger)
{
    protected override Task SubmittedAsync(IDocumentSession session, ReportSubmitted m, CancellationToken ct)
    {
        var (observed, incident) = Observed(m);
        return PlaceAsync(session, m.ReportId, 1, observed, incident, ct);
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
        var reports = await unit.FetchKnownForWritingAsync<ObservedReport>(run.Select(m => m.ReportId).ToList(), ct);
        var incidents = await unit.FetchKnownForWritingAsync<ObservedIncident>(run.Select(IncidentOf).ToList(), ct);
        var newReports = new List<NewStream>(run.Count);
        var newIncidents = new List<NewStream>(run.Count);
        for (int i = 0; i < run.Count; i++)
        {
            // Revision 1 is news only to a report not known at all: such a report is in no incident yet.
            if (!ObservedReport.Accepts(reports.GetValueOrDefault(run[i].ReportId)?.Aggregate, 1))
            {
                Logger.LogDebug("Report {ReportId} revision 1 is not newer than what is known; ignored", run[i].ReportId);
                continue;
            }
            var (observed, incident) = Observed(run[i]);
            var known = incidents.GetValueOrDefault(incident.IncidentId);
            var events = ObservedIncidentDecisions.Link(known?.Aggregate, incident);
            if (known?.Aggregate is null) newIncidents.Add(new NewStream(incident.IncidentId, events));
            else if (events.Length > 0) known.AppendMany(events);
            newReports.Add(new NewStream(run[i].ReportId, [observed]));
        }
        await unit.StartAllAsync(reportStreams, newReports, ct);
        await unit.StartAllAsync(incidentStreams, newIncidents, ct);
        await unit.CommitAsync(ct);
    }

    private static (ReportObserved, IncidentObserved) Observed(ReportSubmitted m)
    {
        var incidentId = IncidentOf(m);
        return (new ReportObserved(m.ReportId, m.OrganisationId, m.Country, m.Platform, m.Category, m.SubjectType, m.Action, m.OccurredOn, m.ReportedAt, incidentId,
                m.Imported, m.ExternalId, m.OccurredAt, m.Notice),
            new IncidentObserved(incidentId, m.ReportId, m.Country, m.Platform, m.Category, m.SubjectType, m.Action, m.OccurredOn));
    }

    protected override Task RevisedAsync(IDocumentSession session, ReportRevised m, CancellationToken ct)
    {
        return PlaceAsync(session, m.ReportId, m.Revision,
            new ObservedReportRevised(m.ReportId, m.Revision, m.Country, m.Platform, m.Category, m.SubjectType, m.Action, m.OccurredOn, m.IncidentId,
                m.ExternalId, m.OccurredAt, m.Notice),
            new IncidentObserved(m.IncidentId, m.ReportId, m.Country, m.Platform, m.Category, m.SubjectType, m.Action, m.OccurredOn),
            ct);
    }

    protected override async Task WithdrawnAsync(IDocumentSession session, ReportWithdrawn m, CancellationToken ct)
    {
        var report = await session.Events.FetchForWriting<ObservedReport>(m.ReportId, ct);
        if (report.Aggregate?.Retracted == true) return;
        // Where it stands; a report observed before reports had streams of their own is found in the incident the message names.
        var incidentId = report.Aggregate is null ? m.IncidentId : report.Aggregate.IncidentId;
        if (incidentId is { } id) await AppendAsync(session, id, i => ObservedIncidentDecisions.Remove(i, m.ReportId, retracted: true), ct);
        report.AppendOne(new ObservedReportRetracted(m.ReportId));
        await session.SaveChangesAsync(ct);
    }

    /// <summary>Puts the report, as of a revision, into the incident it now belongs to, with the slice it now has.</summary>
    private async Task PlaceAsync(IDocumentSession session, Guid reportId, long revision, object reportEvent, IncidentObserved observed, CancellationToken ct)
    {
        var report = await session.Events.FetchForWriting<ObservedReport>(reportId, ct);
        if (!ObservedReport.Accepts(report.Aggregate, revision))
        {
            Logger.LogDebug("Report {ReportId} revision {Revision} is not newer than what is known; ignored", reportId, revision);
            return;
        }
        var from = report.Aggregate?.IncidentId;
        if (from == observed.IncidentId)
        {
            await AppendAsync(session, observed.IncidentId, i => i is null ? ObservedIncidentDecisions.Link(i, observed) : ObservedIncidentDecisions.Revise(i, observed), ct);
        }
        else
        {
            if (from is not null) await AppendAsync(session, from.Value, i => ObservedIncidentDecisions.Remove(i, reportId, retracted: false), ct);
            await AppendAsync(session, observed.IncidentId, i => ObservedIncidentDecisions.Link(i, observed), ct);
        }
        report.AppendOne(reportEvent);
        await session.SaveChangesAsync(ct);
    }

    private static async Task AppendAsync(IDocumentSession session, Guid incidentId, Func<ObservedIncident?, object[]> decide, CancellationToken ct)
    {
        var incident = await session.Events.FetchForWriting<ObservedIncident>(incidentId, ct);
        var events = decide(incident.Aggregate);
        if (events.Length > 0) incident.AppendMany(events);
    }
}
