namespace Takedowns.ServiceDefaults;

/// <summary>Roles carried by API keys, and the authorisation policies named after them.</summary>
public static class Roles
{
    public const string Reporter = "reporter";
    public const string Analyst = "analyst";
    public const string Escalation = "escalation";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Reporter, Analyst, Escalation, Admin];
}

public static class Claims
{
    public const string OrganisationId = "takedowns:organisation";
    public const string KeyId = "takedowns:key";
}
