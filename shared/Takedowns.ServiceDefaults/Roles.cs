namespace Takedowns.ServiceDefaults;

/// <summary>Roles carried by API keys, and the authorisation policies named after them.</summary>
public static class Roles
{
    public const string Reporter = "reporter";
    public const string Analyst = "analyst";
    public const string Escalation = "escalation";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Reporter, Analyst, Escalation, Admin];

    /// <summary>The roles an organisation's key can carry: admin is the deployment's admin key's alone.</summary>
    public static readonly IReadOnlyList<string> OfOrganisations = [Reporter, Analyst, Escalation];
}

public static class Claims
{
    public const string OrganisationId = "takedowns:organisation";
    public const string KeyId = "takedowns:key";
}
