using System.Text;
using Takedowns.Intake.Webhooks;
using Takedowns.Testing;
using static Takedowns.Intake.Webhooks.WebhookSignature;

namespace Takedowns.Intake.Tests.Webhooks;

/// <summary>The verifier against the Standard Webhooks specification's test vectors and negative cases.</summary>
public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const string Timestamp = "1614265330";
    private const string ValidSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"test\": 2432232314}");
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1614265330);

    private static Outcome Check(string? id = Id, string? timestamp = Timestamp, string? signature = ValidSignature,
        string secret = Secret, DateTimeOffset? now = null, byte[]? body = null) =>
        Verify([secret], id, timestamp, signature, body ?? Body, now ?? Now);

    [Fact]
    public void specification_vector_is_valid() => Assert.Equal(Outcome.Valid, Check());

    [Fact]
    public void signing_reproduces_the_specification_vector()
    {
        Assert.Equal(ValidSignature, Sign(Secret, Id, 1614265330, Body));
        Assert.Equal(ValidSignature, new WebhookSigner(Secret).Signature(Id, 1614265330, "{\"test\": 2432232314}"));
    }

    [Fact]
    public void missing_id_fails() => Assert.Equal(Outcome.MissingHeaders, Check(id: null));

    [Fact]
    public void missing_timestamp_fails() => Assert.Equal(Outcome.MissingHeaders, Check(timestamp: null));

    [Fact]
    public void missing_signature_fails() => Assert.Equal(Outcome.MissingHeaders, Check(signature: null));

    [Fact]
    public void timestamp_that_is_not_a_number_fails() => Assert.Equal(Outcome.BadTimestamp, Check(timestamp: "hello"));

    [Theory]
    [InlineData("v1,dawfeoifkpqwoekfpqoekf")]
    [InlineData("v1,g0hM9SsE")]
    [InlineData("v1,")]
    [InlineData("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    public void invalid_signatures_fail(string signature) => Assert.Equal(Outcome.NoValidSignature, Check(signature: signature));

    [Fact]
    public void a_changed_body_fails() =>
        Assert.Equal(Outcome.NoValidSignature, Check(body: Encoding.UTF8.GetBytes("{\"test\": 2432232315}")));

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void timestamp_more_than_five_minutes_off_fails(int offsetSeconds) =>
        Assert.Equal(Outcome.StaleTimestamp, Check(now: Now.AddSeconds(-offsetSeconds)));

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    public void timestamp_within_five_minutes_passes(int offsetSeconds) =>
        Assert.Equal(Outcome.Valid, Check(now: Now.AddSeconds(offsetSeconds)));

    [Fact]
    public void any_one_valid_entry_among_several_is_enough() =>
        Assert.Equal(Outcome.Valid, Check(signature: $"v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc {ValidSignature}"));

    [Theory]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS")]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr")]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS")]
    public void secrets_without_base64_padding_sign_and_verify(string secret)
    {
        string signature = Sign(secret, Id, 1614265330, Body);
        Assert.Equal(Outcome.Valid, Check(signature: signature, secret: secret));
        Assert.Equal(Outcome.NoValidSignature, Check(signature: signature));
    }

    [Theory]
    [InlineData("")]
    [InlineData("whsec_")]
    [InlineData("whsec_a")]
    [InlineData("whsec_!!!!")]
    public void empty_or_malformed_secrets_are_rejected(string secret) =>
        Assert.Throws<ArgumentException>(() => DecodeSecret(secret));

    [Fact]
    public void a_rotated_out_secret_does_not_verify_but_either_of_two_does()
    {
        string other = NewSecret();
        Assert.Equal(Outcome.Valid, Verify([other, Secret], Id, Timestamp, ValidSignature, Body, Now));
        Assert.Equal(Outcome.NoValidSignature, Verify([other], Id, Timestamp, ValidSignature, Body, Now));
    }

    [Fact]
    public void new_secrets_carry_at_least_24_random_bytes()
    {
        string a = NewSecret(), b = NewSecret();
        Assert.StartsWith(SecretPrefix, a);
        Assert.True(DecodeSecret(a).Length >= 24);
        Assert.NotEqual(a, b);
    }
}
