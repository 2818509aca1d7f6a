using System.Security.Cryptography;
using System.Text;

namespace Takedowns.Testing;

/// <summary>
/// Signs requests as a Standard Webhooks sender would. Independent of the service's verifier on purpose, and
/// checked against the specification's test vector.
/// </summary>
public sealed class WebhookSigner(string secret)
{
    public string Signature(string id, long timestamp, string body) => Signature(id, timestamp, Encoding.UTF8.GetBytes(body));

    /// <summary>The signature of raw bytes, which need not be UTF-8 (a fuzzed body, say).</summary>
    public string Signature(string id, long timestamp, byte[] body)
    {
        byte[] key = Convert.FromBase64String(secret["whsec_".Length..]);
        byte[] signed = [.. Encoding.UTF8.GetBytes($"{id}.{timestamp}."), .. body];
        byte[] mac = HMACSHA256.HashData(key, signed);
        return "v1," + Convert.ToBase64String(mac);
    }

    /// <summary>A correctly signed request carrying <paramref name="body"/> byte for byte, with any content type (none when null).</summary>
    public HttpRequestMessage Request(string path, byte[] body, string? contentType)
    {
        string id = "msg_" + Guid.NewGuid().ToString("N");
        long timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        if (contentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString());
        request.Headers.Add("webhook-signature", Signature(id, timestamp, body));
        return request;
    }

    public HttpRequestMessage Request(string path, string body, string? id = null, DateTimeOffset? at = null, string? signature = null)
    {
        id ??= "msg_" + Guid.NewGuid().ToString("N");
        long timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString());
        request.Headers.Add("webhook-signature", signature ?? Signature(id, timestamp, body));
        return request;
    }
}
