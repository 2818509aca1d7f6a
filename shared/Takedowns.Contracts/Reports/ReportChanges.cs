namespace Takedowns.Contracts.Reports;

/// <summary>
/// Report changes forwarded together, in the order Intake recorded them: one message for a page of changes instead of
/// one per report, because at intake rates the broker round trip per message, not the change, is what costs. Each
/// change carries the id of the Intake event it came from and exactly one of its three forms; consumers apply them in
/// order and each change is idempotent on its own, so a page forwarded again (after a crash) changes nothing.
/// </summary>
public sealed record ReportChanges(IReadOnlyList<ReportChange> Changes)
{
    /// <summary>The most changes one message carries.</summary>
    public const int MaxChanges = 500;
}

/// <summary>One change: exactly one of <see cref="Submitted"/>, <see cref="Revised"/> and <see cref="Withdrawn"/> is set.</summary>
public sealed record ReportChange(Guid EventId, ReportSubmitted? Submitted = null, ReportRevised? Revised = null, ReportWithdrawn? Withdrawn = null);
