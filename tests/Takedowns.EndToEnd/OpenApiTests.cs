using System.Diagnostics;
using System.Net;
using Takedowns.Testing;

namespace Takedowns.EndToEnd;

[Collection(SystemCollection.Name)]
public sealed class OpenApiTests(RunningSystem system)
{
    /// <summary>The linter infra/test installs; its absence is a failure, not a reason to skip.</summary>
    private static string Redocly =>
        Path.Combine(Environment.GetEnvironmentVariable("TAKEDOWNS_TOOLS") ?? Path.Combine(TestEnvironment.RepositoryRoot, ".data", "tools"),
            "node_modules", ".bin", "redocly");

    [Theory]
    [InlineData("intake")]
    [InlineData("correlation")]
    [InlineData("publishing")]
    [InlineData("escalation")]
    public async Task each_services_openapi_document_passes_the_recommended_lint_rules(string service)
    {
        Assert.True(File.Exists(Redocly), $"{Redocly} is missing: run infra/test, which installs it.");
        using var response = await system.Client().GetAsync($"/openapi/{service}.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string file = Path.Combine(Path.GetTempPath(), $"takedowns-{service}-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, await response.Content.ReadAsStringAsync());
        try
        {
            var start = new ProcessStartInfo(Redocly)
            {
                ArgumentList = { "lint", file, "--extends", "recommended", "--format", "stylish" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["REDOCLY_TELEMETRY"] = "off";
            start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
            using var lint = Process.Start(start)!;
            var output = lint.StandardOutput.ReadToEndAsync();
            var errors = lint.StandardError.ReadToEndAsync();
            await lint.WaitForExitAsync();
            Assert.True(lint.ExitCode == 0, $"redocly lint found errors in {service}:\n{await output}\n{await errors}");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
