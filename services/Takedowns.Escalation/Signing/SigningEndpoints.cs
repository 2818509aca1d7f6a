namespace Takedowns.Escalation.Signing;

public static class SigningEndpoints
{
    /// <summary><c>GET /api/escalations/keys</c>: the JWK Set that verifies finalised packets. Public: it grants nothing.</summary>
    public static void MapSigningKeys(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/escalations/keys", (PacketSigner signer) => Results.Json(signer.Jwks, contentType: "application/jwk-set+json"))
            .AllowAnonymous()
            .WithTags("Escalation")
            .WithSummary("The public key packets are signed with (a JWK Set)");
}
