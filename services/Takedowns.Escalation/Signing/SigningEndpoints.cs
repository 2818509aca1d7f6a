namespace Takedowns.Escalation.Signing;

public static class SigningEndpoints
{
    /// <summary><c>GET /api/escalations/keys</c>: the JWK Set that verifies finalised packets. Public: it grants nothing.</summary>
    public static void MapSigningKeys(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/escalations/keys", (PacketSigner signer) => Results.Json(signer.Jwks, contentType: "application/jwk-set+json"))
            .AllowAnonymous()
            .WithTags("Escalation")
            .WithSummary("The public key packets are signed with (a JWK Set)");

    /// <summary><c>GET /api/escalations/schema/v1.json</c>: the JSON Schema (draft 2020-12) every packet's JSON validates against.</summary>
    public static void MapPacketSchema(this IEndpointRouteBuilder app)
    {
        byte[] schema;
        using (var stream = typeof(SigningEndpoints).Assembly.GetManifestResourceStream("packet.v1.schema.json")
                            ?? throw new InvalidOperationException("The packet schema is not embedded in the service."))
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            schema = copy.ToArray();
        }
        app.MapGet(Packets.PacketDocument.SchemaPath, () => Results.Bytes(schema, "application/schema+json"))
            .AllowAnonymous()
            .WithTags("Escalation")
            .WithSummary("The JSON Schema of a packet, version 1");
    }
}
