using System.Diagnostics;

namespace Takedowns.Testing;

/// <summary>
/// Where the real PostgreSQL and RabbitMQ of the tests are: the ones infra/test starts (its environment variables),
/// else the defaults of infra/env.sh.
/// </summary>
public static class TestEnvironment
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string PostgresConnection =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
        ?? "Host=127.0.0.1;Port=55432;Database=takedowns;Username=takedowns;Password=takedowns;Maximum Pool Size=50";

    /// <summary>The streaming replica infra/ starts beside the private PostgreSQL (read-only).</summary>
    public static string PostgresReplicaConnection =>
        $"Host=127.0.0.1;Port={Environment.GetEnvironmentVariable("TAKEDOWNS_PG_REPLICA_PORT") ?? "55433"};Database=takedowns;Username=takedowns;Password=takedowns";

    public static string RabbitHost => Environment.GetEnvironmentVariable("RabbitMq__Host") ?? "127.0.0.1";
    public static string RabbitPort => Environment.GetEnvironmentVariable("RabbitMq__Port") ?? "56720";
    public static string RabbitUser => Environment.GetEnvironmentVariable("RabbitMq__Username") ?? "takedowns";
    public static string RabbitPassword => Environment.GetEnvironmentVariable("RabbitMq__Password") ?? "takedowns";

    /// <summary>Settings that point a service at the test dependencies, its own schema and its own virtual host.</summary>
    public static Dictionary<string, string> ServiceSettings(string schema, string virtualHost, string adminKey) => new()
    {
        ["ConnectionStrings:Postgres"] = PostgresConnection,
        ["Marten:Schema"] = schema,
        ["RabbitMq:Host"] = RabbitHost,
        ["RabbitMq:Port"] = RabbitPort,
        ["RabbitMq:Username"] = RabbitUser,
        ["RabbitMq:Password"] = RabbitPassword,
        ["RabbitMq:VirtualHost"] = virtualHost,
        ["TAKEDOWNS_ADMIN_KEY"] = adminKey,
        ["TAKEDOWNS_SECRETS_KEY"] = SecretsKey,
        ["TAKEDOWNS_SIGNING_KEY"] = SigningKey,
    };

    /// <summary>The P-256 key packets are signed with in tests (PKCS#8, base64): made up, never used outside tests.</summary>
    public const string SigningKey =
        "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgm+PCAT4XoW53zOXKWmps2DpECIZ5b8xpfc4iIz9mGzChRANCAAT3I40Ht9THj0jz6I7ovxDVBxUoandxAsEbtmfG7jSECTWCEdgVxJ4hh8U6pQYFLjfY371V+1MBN1n6Su3CADAP";

    /// <summary>The key webhook secrets are encrypted with in tests: fixed, made up, never used outside tests.</summary>
    public const string SecretsKey = "dGVzdC1vbmx5LXNlY3JldHMta2V5LTMyLWJ5dGVzISE=";

    public static string UniqueName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Takedowns.sln"))) return dir.FullName;
        throw new InvalidOperationException("Takedowns.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs a command of infra/ and fails loudly with its output when it fails.</summary>
    public static Task<string> RunInfraAsync(string script, params string[] args) => RunInfraAsync(TimeSpan.FromMinutes(2), script, args);

    /// <summary>
    /// As <see cref="RunInfraAsync(string, string[])"/>, allowed <paramref name="limit"/>: past it the command is ended
    /// (with whatever it started) and the failure says what it had printed.
    /// </summary>
    public static async Task<string> RunInfraAsync(TimeSpan limit, string script, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot, "infra", script))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"infra/{script} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"infra/{script} {string.Join(' ', args)} did not finish within {limit}: {await stderr}{await stdout}");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"infra/{script} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}");
        return await stdout;
    }
}
