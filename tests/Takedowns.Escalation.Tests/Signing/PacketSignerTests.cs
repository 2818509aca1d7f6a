using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Takedowns.Escalation.Signing;
using Takedowns.Testing;

namespace Takedowns.Escalation.Tests.Signing;

public sealed class PacketSignerTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    private static PacketSigner Signer(string key) =>
        PacketSigner.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [PacketSigner.Setting] = key }).Build());

    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("""{"packetId":"0e0c6b5e-8b0e-4a43-9d3e-2f1d3c4b5a69","version":1}""");

    [Fact]
    public async Task a_detached_signature_verifies_with_an_independent_jose_library_against_the_published_key()
    {
        using var response = await host.CreateClient().GetAsync("/api/escalations/keys");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/jwk-set+json", response.Content.Headers.ContentType?.MediaType);
        using var jwks = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var key = Assert.Single(jwks.RootElement.GetProperty("keys").EnumerateArray().ToList());
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.Equal("ES256", key.GetProperty("alg").GetString());
        Assert.False(key.TryGetProperty("d", out _), "the private part must never be published");

        using var signer = Signer(TestEnvironment.SigningKey);
        string jws = signer.SignDetached(Payload);
        string[] parts = jws.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.Empty(parts[1]); // detached: RFC 7515, appendix F

        // As a platform would: put the payload back and verify with jose-jwt and the key from the JWK Set.
        var publicKey = new Jose.Jwk(crv: key.GetProperty("crv").GetString(), x: key.GetProperty("x").GetString(), y: key.GetProperty("y").GetString(), d: null);
        string attached = parts[0] + "." + Base64UrlEncode(Payload) + "." + parts[2];
        Assert.Equal(Encoding.UTF8.GetString(Payload), Jose.JWT.Decode(attached, publicKey, Jose.JwsAlgorithm.ES256));
        var headers = Jose.JWT.Headers(attached);
        Assert.Equal("ES256", headers["alg"]?.ToString());
        Assert.Equal(key.GetProperty("kid").GetString(), headers["kid"]?.ToString());

        // A single byte changed in the payload fails, with either library.
        byte[] tampered = [.. Payload];
        tampered[^2] ^= 1;
        Assert.ThrowsAny<Jose.IntegrityException>(() =>
            Jose.JWT.Decode(parts[0] + "." + Base64UrlEncode(tampered) + "." + parts[2], publicKey, Jose.JwsAlgorithm.ES256));
        Assert.False(signer.Verify(jws, tampered));
        Assert.True(signer.Verify(jws, Payload));
    }

    [Fact]
    public void the_key_id_is_the_rfc_7638_thumbprint_of_the_public_key()
    {
        using var signer = Signer(TestEnvironment.SigningKey);
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(Convert.FromBase64String(TestEnvironment.SigningKey), out _);
        var p = key.ExportParameters(false);
        string canonical = $$"""{"crv":"P-256","kty":"EC","x":"{{Base64UrlEncode(p.Q.X!)}}","y":"{{Base64UrlEncode(p.Q.Y!)}}"}""";
        Assert.Equal(Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), signer.KeyId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64 at all!")]
    [InlineData("dGVzdC1vbmx5LXNlY3JldHMta2V5LTMyLWJ5dGVzISE=")] // base64, but no key
    public void a_missing_or_unreadable_key_stops_the_service_with_the_settings_name(string value) =>
        Assert.Contains(PacketSigner.Setting, Assert.Throws<InvalidOperationException>(() => Signer(value)).Message);

    [Fact]
    public void a_key_on_another_curve_is_refused()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Throws<ArgumentException>(() => Signer(Convert.ToBase64String(other.ExportPkcs8PrivateKey())));
    }

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
