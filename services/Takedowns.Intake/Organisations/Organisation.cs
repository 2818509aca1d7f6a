namespace Takedowns.Intake.Organisations;

// Events of an organisation stream.

public sealed record OrganisationRegistered(Guid OrganisationId, string Name, DateTimeOffset RegisteredAt);

/// <summary>An API key was issued. Only its id and roles are recorded; the secret exists only in the caller's hands.</summary>
public sealed record ApiKeyIssued(Guid OrganisationId, Guid KeyId, string[] Roles, DateTimeOffset IssuedAt);

public sealed record ApiKeyRevoked(Guid OrganisationId, Guid KeyId, DateTimeOffset RevokedAt, DateTimeOffset EffectiveAt);

/// <summary>A webhook source was added. Its signing secret is kept in <see cref="Webhooks.WebhookSource"/>, never in an event.</summary>
public sealed record WebhookSourceAdded(Guid OrganisationId, Guid SourceId, string Name, DateTimeOffset AddedAt);

public sealed record WebhookSecretRotated(Guid OrganisationId, Guid SourceId, DateTimeOffset RotatedAt, DateTimeOffset OldSecretValidUntil);

public sealed record WebhookSourceRevoked(Guid OrganisationId, Guid SourceId, DateTimeOffset RevokedAt);

public sealed record WebhookMappingSet(Guid OrganisationId, Guid SourceId, Webhooks.PayloadMapping Mapping, DateTimeOffset SetAt);

public sealed record Organisation(Guid Id, string Name, DateTimeOffset RegisteredAt, int ApiKeys, int WebhookSources)
{
    public static Organisation Create(OrganisationRegistered e) => new(e.OrganisationId, e.Name, e.RegisteredAt, 0, 0);

    public static Organisation Apply(ApiKeyIssued _, Organisation o) => o with { ApiKeys = o.ApiKeys + 1 };

    public static Organisation Apply(WebhookSourceAdded _, Organisation o) => o with { WebhookSources = o.WebhookSources + 1 };
}
