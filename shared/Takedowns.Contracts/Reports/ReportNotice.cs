namespace Takedowns.Contracts.Reports;

/// <summary>
/// What the platform's notice said, as campaign detection needs it: the policy cited, the claimant as named, the notice
/// text, and the domain of the work a copyright claimant says was copied. Forwarded only for reports their organisation
/// shares with the network's analysts; it never holds anything about the reporter.
/// </summary>
public sealed record ReportNotice(string? Policy, string? Claimant, string? Text, string? ClaimedOriginalDomain);
