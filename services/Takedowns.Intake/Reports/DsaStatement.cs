using System.Text.RegularExpressions;
using Takedowns.Contracts;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Reports;

/// <summary>
/// A statement of reasons in the EU Digital Services Act vocabulary (as the DSA Transparency Database spells its
/// values). Optional on input; what is not given is derived from our own action and ground where a mapping exists.
/// </summary>
public sealed record DsaStatement(
    IReadOnlyList<string>? DecisionVisibility = null,
    string? DecisionAccount = null,
    string? DecisionMonetary = null,
    string? DecisionProvision = null,
    string? DecisionGround = null,
    string? Category = null,
    IReadOnlyList<string>? CategorySpecification = null,
    IReadOnlyList<string>? ContentType = null,
    string? SourceType = null,
    bool? AutomatedDetection = null,
    string? AutomatedDecision = null,
    string? Puid = null);

/// <summary>The statement to show: what was given, completed by what our taxonomy implies, and which fields were derived.</summary>
public sealed record DsaView(DsaStatement Statement, IReadOnlyList<string> DerivedFields);

public static partial class Dsa
{
    public static readonly string[] DecisionVisibility =
        Prefixed("DECISION_VISIBILITY_", "CONTENT_REMOVED", "CONTENT_DISABLED", "CONTENT_DEMOTED", "CONTENT_AGE_RESTRICTED",
            "CONTENT_INTERACTION_RESTRICTED", "CONTENT_LABELLED", "OTHER");
    public static readonly string[] DecisionMonetary = Prefixed("DECISION_MONETARY_", "SUSPENSION", "TERMINATION", "OTHER");
    public static readonly string[] DecisionProvision =
        Prefixed("DECISION_PROVISION_", "PARTIAL_SUSPENSION", "TOTAL_SUSPENSION", "PARTIAL_TERMINATION", "TOTAL_TERMINATION");
    public static readonly string[] DecisionAccount = Prefixed("DECISION_ACCOUNT_", "SUSPENDED", "TERMINATED");
    public static readonly string[] DecisionGround = Prefixed("DECISION_GROUND_", "ILLEGAL_CONTENT", "INCOMPATIBLE_CONTENT");
    public static readonly string[] ContentType =
        Prefixed("CONTENT_TYPE_", "APP", "AUDIO", "IMAGE", "PRODUCT", "SYNTHETIC_MEDIA", "TEXT", "VIDEO", "OTHER");
    public static readonly string[] Category = Prefixed("STATEMENT_CATEGORY_",
        "ANIMAL_WELFARE", "CONSUMER_INFORMATION", "CYBER_VIOLENCE", "CYBER_VIOLENCE_AGAINST_WOMEN",
        "DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", "ILLEGAL_OR_HARMFUL_SPEECH", "INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        "NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS", "NOT_SPECIFIED_NOTICE", "OTHER_VIOLATION_TC", "PROTECTION_OF_MINORS",
        "RISK_FOR_PUBLIC_SECURITY", "SCAMS_AND_FRAUD", "SELF_HARM", "UNSAFE_AND_PROHIBITED_PRODUCTS", "VIOLENCE");
    public static readonly string[] CategorySpecification = Prefixed("KEYWORD_",
        "COORDINATED_HARM", "COPYRIGHT_INFRINGEMENT", "TRADEMARK_INFRINGEMENT", "DEFAMATION", "IMPERSONATION_ACCOUNT_HIJACKING",
        "INAUTHENTIC_ACCOUNTS", "MISINFORMATION_DISINFORMATION", "VIOLATION_NATIONAL_LAW", "ILLEGAL_ORGANIZATIONS",
        "TERRORIST_CONTENT", "HATE_SPEECH", "INCITEMENT_VIOLENCE_HATRED", "OTHER");
    public static readonly string[] SourceType =
        ["SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION", "SOURCE_VOLUNTARY"];
    public static readonly string[] AutomatedDecision =
        Prefixed("AUTOMATED_DECISION_", "FULLY", "PARTIALLY", "NOT_AUTOMATED");

    private static string[] Prefixed(string prefix, params string[] values) => values.Select(v => prefix + v).ToArray();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,500}$")]
    private static partial Regex PuidPattern();

    /// <summary>Checks every given value against the vocabulary; errors are named <c>dsa.&lt;field&gt;</c>.</summary>
    public static DsaStatement? Validate(DsaStatement? dsa, ValidationErrors errors)
    {
        if (dsa is null) return null;
        One(dsa.DecisionAccount, DecisionAccount, "dsa.decisionAccount", errors);
        One(dsa.DecisionMonetary, DecisionMonetary, "dsa.decisionMonetary", errors);
        One(dsa.DecisionProvision, DecisionProvision, "dsa.decisionProvision", errors);
        One(dsa.DecisionGround, DecisionGround, "dsa.decisionGround", errors);
        One(dsa.Category, Category, "dsa.category", errors);
        One(dsa.SourceType, SourceType, "dsa.sourceType", errors);
        One(dsa.AutomatedDecision, AutomatedDecision, "dsa.automatedDecision", errors);
        Many(dsa.DecisionVisibility, DecisionVisibility, "dsa.decisionVisibility", errors);
        Many(dsa.CategorySpecification, CategorySpecification, "dsa.categorySpecification", errors);
        Many(dsa.ContentType, ContentType, "dsa.contentType", errors);
        if (dsa.Puid is not null && !PuidPattern().IsMatch(dsa.Puid))
            errors.Add("dsa.puid", "Must be 1 to 500 characters of A-Z, a-z, 0-9, '-' and '_'.");
        return dsa;
    }

    private static void One(string? value, string[] allowed, string field, ValidationErrors errors)
    {
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
            errors.Add(field, $"Must be one of: {string.Join(", ", allowed)}.");
    }

    private static void Many(IReadOnlyList<string>? values, string[] allowed, string field, ValidationErrors errors)
    {
        if (values is null) return;
        if (values.Count > allowed.Length) errors.Add(field, "Too many values.");
        foreach (string v in values.Where(v => !allowed.Contains(v, StringComparer.Ordinal)).Distinct())
            errors.Add(field, $"'{(v.Length > 60 ? v[..60] : v)}' is not one of: {string.Join(", ", allowed)}.");
    }

    /// <summary>Completes a statement with what our action and ground imply; given values always win.</summary>
    public static DsaView Derive(ReportDraft report)
    {
        var given = report.Dsa ?? new DsaStatement();
        var implied = Implied(report.Action, report.Ground);
        var derived = new List<string>();

        T? Pick<T>(T? mine, T? theirs, string name) where T : class
        {
            if (mine is not null || theirs is null) return mine;
            derived.Add(name);
            return theirs;
        }

        var statement = given with
        {
            DecisionVisibility = Pick(given.DecisionVisibility, implied.DecisionVisibility, "decisionVisibility"),
            DecisionAccount = Pick(given.DecisionAccount, implied.DecisionAccount, "decisionAccount"),
            DecisionMonetary = Pick(given.DecisionMonetary, implied.DecisionMonetary, "decisionMonetary"),
            DecisionProvision = Pick(given.DecisionProvision, implied.DecisionProvision, "decisionProvision"),
            DecisionGround = Pick(given.DecisionGround, implied.DecisionGround, "decisionGround"),
            Category = Pick(given.Category, implied.Category, "category"),
            CategorySpecification = Pick(given.CategorySpecification, implied.CategorySpecification, "categorySpecification"),
            SourceType = Pick(given.SourceType, implied.SourceType, "sourceType"),
        };
        return new DsaView(statement, derived);
    }

    /// <summary>Our taxonomy in the DSA's words. An account compromise and an unknown ground are no platform decision and map to nothing.</summary>
    public static DsaStatement Implied(TakedownAction action, Ground ground)
    {
        var decision = action switch
        {
            TakedownAction.AccountSuspended => new DsaStatement(DecisionAccount: "DECISION_ACCOUNT_SUSPENDED"),
            TakedownAction.AccountTerminated => new DsaStatement(DecisionAccount: "DECISION_ACCOUNT_TERMINATED"),
            TakedownAction.ContentRemoved => new DsaStatement(DecisionVisibility: ["DECISION_VISIBILITY_CONTENT_REMOVED"]),
            TakedownAction.ContentRestricted => new DsaStatement(DecisionVisibility: ["DECISION_VISIBILITY_CONTENT_DISABLED"]),
            TakedownAction.VisibilityReduced => new DsaStatement(DecisionVisibility: ["DECISION_VISIBILITY_CONTENT_DEMOTED"]),
            TakedownAction.Demonetised => new DsaStatement(DecisionMonetary: "DECISION_MONETARY_SUSPENSION"),
            TakedownAction.FeatureRestricted => new DsaStatement(DecisionProvision: "DECISION_PROVISION_PARTIAL_SUSPENSION"),
            _ => new DsaStatement(),
        };
        return ground.Category switch
        {
            GroundCategory.IntellectualProperty => decision with
            {
                DecisionGround = "DECISION_GROUND_ILLEGAL_CONTENT",
                Category = "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
                CategorySpecification = ["KEYWORD_COPYRIGHT_INFRINGEMENT"],
                SourceType = "SOURCE_ARTICLE_16",
            },
            GroundCategory.CommunityStandards => decision with
            {
                DecisionGround = "DECISION_GROUND_INCOMPATIBLE_CONTENT", Category = "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
            },
            GroundCategory.Impersonation => decision with
            {
                DecisionGround = "DECISION_GROUND_INCOMPATIBLE_CONTENT", Category = "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
                CategorySpecification = ["KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING"],
            },
            GroundCategory.Spam => decision with
            {
                DecisionGround = "DECISION_GROUND_INCOMPATIBLE_CONTENT", Category = "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
                CategorySpecification = ["KEYWORD_INAUTHENTIC_ACCOUNTS"],
            },
            GroundCategory.LegalRequest or GroundCategory.GovernmentRequest => decision with
            {
                DecisionGround = "DECISION_GROUND_ILLEGAL_CONTENT",
                CategorySpecification = ["KEYWORD_VIOLATION_NATIONAL_LAW"],
                SourceType = "SOURCE_TYPE_OTHER_NOTIFICATION",
            },
            _ => decision,
        };
    }
}
