namespace Takedowns.Contracts.Escalation;

/// <summary>
/// The facts of reports as an escalation packet needs them, forwarded by Intake to Escalation alone, a page of reports at
/// a time. Each is the report as it stood at Intake's event <see cref="ReportCase.Sequence"/> or later: a consumer keeps,
/// per report, the case of the highest sequence it has seen, so a page forwarded again or out of order changes nothing.
/// <see cref="OrganisationNames"/>: the names of the organisations whose cases the message carries, as registered, so
/// that a packet can name them even when their registration reached Escalation before it listened.
/// </summary>
public sealed record ReportCases(IReadOnlyList<ReportCase> Cases, IReadOnlyDictionary<Guid, string>? OrganisationNames = null)
{
    /// <summary>The most cases one message carries.</summary>
    public const int MaxCases = 200;
}

/// <summary>
/// One report's case. <see cref="Facts"/> is present only while the report stands (not retracted) and its reporter
/// allows it to be escalated to the platform; otherwise it is null, and the case is to be forgotten (a draft packet
/// leaves it out). Never carries the reporter's contact data.
/// </summary>
public sealed record ReportCase(Guid ReportId, Guid OrganisationId, long Sequence, CaseFacts? Facts);

/// <summary>
/// What happened to the affected account, as the reporting organisation recorded it. <see cref="SharedWithNetwork"/>:
/// the reporter also allows the network's analysts (other organisations) to see the report, so another organisation's
/// escalation staff may include it in a packet.
/// </summary>
public sealed record CaseFacts(
    Platform Platform,
    CaseAccount Account,
    SubjectType SubjectType,
    string Country,
    string? Language,
    long? AudienceSize,
    TakedownAction Action,
    CaseGround Ground,
    DateOnly OccurredOn,
    DateTimeOffset? OccurredAt,
    DateOnly? NoticedOn,
    DateTimeOffset ReportedAt,
    IReadOnlyList<CaseEvidence> Evidence,
    CaseAppeal? Appeal,
    string? DsaStatementId,
    bool SharedWithNetwork,
    CaseDsa? Dsa = null);

/// <summary>
/// The action and ground in the vocabulary of the EU Digital Services Act's statements of reasons (as the DSA
/// Transparency Database spells its values): what the reporter gave, completed by what Intake's taxonomy implies.
/// </summary>
public sealed record CaseDsa(
    IReadOnlyList<string>? DecisionVisibility, string? DecisionAccount, string? DecisionMonetary, string? DecisionProvision,
    string? DecisionGround, string? Category, IReadOnlyList<string>? CategorySpecification, string? SourceType,
    bool? AutomatedDetection, string? AutomatedDecision);

/// <summary>The affected account: public facts about the subject of the takedown, not about the reporter.</summary>
public sealed record CaseAccount(string Handle, string? Url, string? PlatformId);

/// <summary>What the platform's notice gave as the reason, as shown to the account holder.</summary>
public sealed record CaseGround(
    GroundCategory Category, string? Policy, string? NoticeText, string? Claimant, int? ComplaintsCount, bool? LookedAutomated);

/// <summary>A piece of evidence by its SHA-256 (the file itself stays in Intake).</summary>
public sealed record CaseEvidence(string Sha256, string MediaType, string? Caption);

/// <summary>The account holder's appeal to the platform: filed on, and decided (restored or upheld) on.</summary>
public sealed record CaseAppeal(DateOnly? FiledOn, string? Outcome, DateOnly? DecidedOn);
