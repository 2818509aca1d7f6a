using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Takedowns.Contracts.Escalation;
using Takedowns.Intake.Reports;
using Takedowns.ServiceDefaults;
using Takedowns.ServiceDefaults.Parking;

namespace Takedowns.Intake.Integration;

/// <summary>
/// The outbox of escalation cases: a Marten subscription that forwards, for each report a page of events changed, the
/// facts an escalation packet needs (<see cref="ReportCases"/>), to Escalation alone. Only reports whose reporter allows
/// escalation to the platform carry facts; a report retracted, or whose consent no longer allows it, is sent without
/// them, to be forgotten. A subscription of its own: Escalation being away holds back cases, never the reports' own
/// changes. Progress is saved only after a page is published; a page published again changes nothing where it arrives.
/// Organisations' registrations go the same way, so that a packet can name the organisation that escalates.
/// </summary>
public sealed class CaseForwarder(IBus bus, Parked parked, ILogger<CaseForwarder> logger)
    : ParkingSubscription(SubscriptionName, parked, logger)
{
    public const string SubscriptionName = "case-forwarder";

    public static readonly Type[] EventTypes =
    [
        typeof(TakedownReported), typeof(ReportAmended), typeof(EvidenceAttached), typeof(AppealFiled), typeof(AppealDecided),
        typeof(ReportRetracted), typeof(Organisations.OrganisationRegistered),
    ];

    protected override async Task<IChangeListener> ProcessAsync(EventRange page, IDocumentOperations operations, bool trial, CancellationToken ct)
    {
        // Per report, the last event of the page that changed it, and whether the page also holds its first event.
        var last = new Dictionary<Guid, (long Sequence, Guid EventId, bool New)>();
        foreach (var e in page.Events)
        {
            if (ReportIdOf(e.Data) is not { } id) continue;
            bool isNew = e.Data is TakedownReported || (last.TryGetValue(id, out var seen) && seen.New);
            last[id] = (e.Sequence, e.Id, isNew);
        }
        var registered = page.Events.Where(e => e.Data is Organisations.OrganisationRegistered).ToList();
        if (!trial)
            foreach (var e in registered)
            {
                var r = (Organisations.OrganisationRegistered)e.Data;
                await bus.PublishIntegrationEvent(new Contracts.Organisations.OrganisationRegistered(r.OrganisationId, r.Name, r.RegisteredAt), e.Id, ct);
            }
        if (last.Count == 0) return NullChangeListener.Instance;
        // The report as it stands now: at least as recent as the page's events, so the case sent is never older.
        var reports = (await operations.LoadManyAsync<Report>(ct, last.Keys)).ToDictionary(r => r.Id);
        var cases = new List<(ReportCase Case, Guid EventId)>();
        foreach (var (id, (sequence, eventId, isNew)) in last.OrderBy(l => l.Value.Sequence))
        {
            if (!reports.TryGetValue(id, out var report)) continue; // every event stores its report; none, nothing to say
            var facts = FactsOf(report);
            // A new report whose reporter does not allow escalation: Escalation never knew it, nothing to forget.
            if (facts is null && isNew) continue;
            cases.Add((new ReportCase(id, report.OrganisationId, sequence, facts), eventId));
        }
        if (trial || cases.Count == 0) return NullChangeListener.Instance;
        // One message per chunk, named after its first event: a page published again sends the same messages.
        var names = (await operations.LoadManyAsync<Organisations.Organisation>(ct, cases.Select(c => c.Case.OrganisationId).Distinct()))
            .ToDictionary(o => o.Id, o => o.Name);
        foreach (var chunk in cases.Chunk(ReportCases.MaxCases))
        {
            var organisations = chunk.Select(c => c.Case.OrganisationId).Distinct().Where(names.ContainsKey).ToDictionary(id => id, id => names[id]);
            await bus.PublishIntegrationEvent(new ReportCases(chunk.Select(c => c.Case).ToList(), organisations), chunk[0].EventId, ct);
        }
        return NullChangeListener.Instance;
    }

    private static Guid? ReportIdOf(object data) => data switch
    {
        TakedownReported e => e.ReportId,
        ReportAmended e => e.ReportId,
        EvidenceAttached e => e.ReportId,
        AppealFiled e => e.ReportId,
        AppealDecided e => e.ReportId,
        ReportRetracted e => e.ReportId,
        _ => null,
    };

    /// <summary>The case facts of a report that may be escalated to its platform; null for any other.</summary>
    public static CaseFacts? FactsOf(Report report)
    {
        var r = report.Content;
        var consent = r.Consent ?? Consent.Default;
        if (report.Status == ReportStatus.Retracted || !consent.Platform) return null;
        var g = r.Ground;
        var dsa = Dsa.Derive(r).Statement;
        return new CaseFacts(
            r.Platform,
            new CaseAccount(r.Account.Handle, r.Account.Url, r.Account.PlatformId),
            r.SubjectType, r.Country, r.Language, r.AudienceSize, r.Action,
            new CaseGround(g.Category, g.Policy, g.NoticeText, g.Claimant, g.ComplaintsCount, g.LookedAutomated),
            r.OccurredOn, r.OccurredAt?.ToUniversalTime(), r.NoticedOn, report.ReportedAt,
            [.. (r.Evidence ?? []).Select(e => new CaseEvidence(e.Sha256, e.MediaType, e.Caption))],
            report.AppealFiledOn is null && report.AppealOutcome is null ? null
                : new CaseAppeal(report.AppealFiledOn, report.AppealOutcome switch
                {
                    AppealOutcome.Restored => "restored",
                    AppealOutcome.Upheld => "upheld",
                    _ => null,
                }, report.AppealDecidedOn),
            r.Dsa?.Puid,
            consent.Network,
            new CaseDsa(dsa.DecisionVisibility, dsa.DecisionAccount, dsa.DecisionMonetary, dsa.DecisionProvision, dsa.DecisionGround,
                dsa.Category, dsa.CategorySpecification, dsa.SourceType, dsa.AutomatedDetection, dsa.AutomatedDecision));
    }
}
