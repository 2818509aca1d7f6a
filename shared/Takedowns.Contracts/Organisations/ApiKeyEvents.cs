namespace Takedowns.Contracts.Organisations;

/// <summary>
/// Intake issued an organisation's API key. <paramref name="SecretSha256"/> is the SHA-256 of the key's secret as Intake
/// stores it (upper-case hex), so another service can check a key without ever seeing one: the secret itself never
/// leaves the caller's hands. <paramref name="Roles"/> are role names (reporter, analyst, escalation, admin).
/// </summary>
public sealed record ApiKeyIssued(
    Guid KeyId, Guid OrganisationId, IReadOnlyList<string> Roles, string SecretSha256, DateTimeOffset IssuedAt, DateTimeOffset? ExpiresAt = null);

/// <summary>
/// An API key stops working at <paramref name="ValidUntil"/>: at once (= <paramref name="RevokedAt"/>) when it was revoked,
/// at the end of the overlap when it was replaced by rotation.
/// </summary>
public sealed record ApiKeyRevoked(Guid KeyId, Guid OrganisationId, DateTimeOffset RevokedAt, DateTimeOffset ValidUntil);

/// <summary>
/// An organisation joined the network under <paramref name="Name"/>, as the administrator registered it. Forwarded to
/// Escalation, which names the escalating organisation in its packets.
/// </summary>
public sealed record OrganisationRegistered(Guid OrganisationId, string Name, DateTimeOffset RegisteredAt);
