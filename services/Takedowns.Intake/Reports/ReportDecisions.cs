namespace Takedowns.Intake.Reports;

/// <summary>The outcome of a decision on a report: events to append, or the reason it cannot be done now.</summary>
public abstract record Decision
{
    public sealed record Accept(params object[] Events) : Decision;
    public sealed record Reject(string Reason) : Decision;

    public static readonly Decision Nothing = new Accept();
}

/// <summary>Pure rules for what may happen to a report in its state. Tested without a database.</summary>
public static class ReportDecisions
{
    private const string Retracted = "The report was retracted; it can no longer change.";

    public static Decision Amend(Report r, ReportDraft amended, IReadOnlyList<FieldChange> changes, DateTimeOffset now) =>
        r.Status == ReportStatus.Retracted ? new Decision.Reject(Retracted)
        : changes.Count == 0 ? Decision.Nothing
        : new Decision.Accept(new ReportAmended(r.Id, amended, changes, now));

    public static Decision AttachEvidence(Report r, EvidenceItem item, DateTimeOffset now) =>
        r.Status == ReportStatus.Retracted ? new Decision.Reject(Retracted)
        : (r.Content.Evidence ?? []).Any(e => e.Sha256 == item.Sha256) ? Decision.Nothing // the same evidence again
        : new Decision.Accept(new EvidenceAttached(r.Id, item, now));

    public static Decision FileAppeal(Report r, DateOnly filedOn, string? note, DateTimeOffset now) => r.Status switch
    {
        ReportStatus.Retracted => new Decision.Reject(Retracted),
        ReportStatus.AppealFiled => new Decision.Reject("An appeal is already pending; record its decision first."),
        ReportStatus.Restored => new Decision.Reject("The account or content was restored; there is nothing to appeal."),
        _ when filedOn < r.Content.OccurredOn => new Decision.Reject("An appeal cannot be filed before the takedown occurred."),
        _ => new Decision.Accept(new AppealFiled(r.Id, filedOn, note, now)),
    };

    public static Decision DecideAppeal(Report r, AppealOutcome outcome, DateOnly decidedOn, string? note, DateTimeOffset now) => r.Status switch
    {
        ReportStatus.Retracted => new Decision.Reject(Retracted),
        ReportStatus.AppealFiled => new Decision.Accept(new AppealDecided(r.Id, outcome, decidedOn, note, now)),
        _ => new Decision.Reject("No appeal is pending; record the appeal first."),
    };

    public static Decision Verify(Report r, string analyst, string? note, DateTimeOffset now) =>
        r.Status == ReportStatus.Retracted ? new Decision.Reject(Retracted)
        : r.VerifiedAt is not null ? Decision.Nothing
        : new Decision.Accept(new ReportVerified(r.Id, analyst, note, now));

    public static Decision Retract(Report r, string? reason, DateTimeOffset now) =>
        r.Status == ReportStatus.Retracted ? Decision.Nothing : new Decision.Accept(new ReportRetracted(r.Id, reason, now));
}
