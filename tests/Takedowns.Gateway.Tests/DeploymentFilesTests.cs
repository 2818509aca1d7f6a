using System.Diagnostics;
using System.Text.Json.Nodes;
using Takedowns.Testing;

namespace Takedowns.Gateway.Tests;

/// <summary>
/// The files under infra/deploy/: the Kubernetes manifests against the Kubernetes API's schemas, compose.yaml against
/// the Compose specification (both with the tools infra/test installs, offline), and what no schema says: probes,
/// memory limits, no secret in the files, nobody running as root, only the gateway reachable from outside.
/// </summary>
public sealed class DeploymentFilesTests
{
    private static readonly string Deploy = Path.Combine(TestEnvironment.RepositoryRoot, "infra", "deploy");
    private static readonly string Manifests = Path.Combine(Deploy, "kubernetes");
    private static readonly string Compose = Path.Combine(Deploy, "compose.yaml");

    private static string Tools => Environment.GetEnvironmentVariable("TAKEDOWNS_TOOLS")
                                   ?? Path.Combine(TestEnvironment.RepositoryRoot, ".data", "tools");

    private static readonly string[] Services = ["intake", "correlation", "publishing", "escalation"];

    /// <summary>The settings the services read; a container given another name has a typo.</summary>
    private static readonly HashSet<string> ServiceSettings =
    [
        "ConnectionStrings__Postgres", "ConnectionStrings__PostgresReplica", "Marten__Schema", "RabbitMq__Host",
        "RabbitMq__Port", "RabbitMq__Username", "RabbitMq__Password", "RabbitMq__VirtualHost", "RabbitMq__Nodes",
        "Services__intake", "Services__correlation", "Services__publishing", "Services__escalation", "TAKEDOWNS_ADMIN_KEY",
        "TAKEDOWNS_SIGNING_KEY",
        "TAKEDOWNS_SECRETS_KEY", "ASPNETCORE_URLS", "OTEL_EXPORTER_OTLP_ENDPOINT",
        "TAKEDOWNS_POSTGRES_PASSWORD", // only to fill the connection strings in Kubernetes
    ];

    private static readonly string[] SecretSettings =
        ["TAKEDOWNS_ADMIN_KEY", "TAKEDOWNS_SECRETS_KEY", "TAKEDOWNS_SIGNING_KEY", "RabbitMq__Password", "TAKEDOWNS_POSTGRES_PASSWORD"];

    [Fact]
    public async Task kubernetes_manifests_match_the_kubernetes_api_schemas()
    {
        var (code, output) = await RunAsync("node", Path.Combine(Deploy, "validate.mjs"), "kubernetes", Manifests);
        Assert.True(code == 0, $"validate.mjs found problems:\n{output}");
        Assert.Contains("0 problem(s)", output);
    }

    [Fact]
    public async Task a_manifest_that_breaks_the_schema_is_rejected()
    {
        string file = TempFile(".yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: broken}
            spec:
              replicas: two
              template: {spec: {containers: [{name: broken, image: x}]}}
            """);
        try
        {
            var (code, output) = await RunAsync("node", Path.Combine(Deploy, "validate.mjs"), "kubernetes", file);
            Assert.NotEqual(0, code);
            Assert.Contains("spec/replicas must be integer", output);
            Assert.Contains("required property selector", output);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task compose_file_matches_the_compose_specification()
    {
        var (code, output) = await Dclint(Compose);
        Assert.True(code == 0, $"dclint found problems in compose.yaml:\n{output}");
    }

    [Fact]
    public async Task a_compose_file_that_breaks_the_specification_is_rejected()
    {
        string broken = File.ReadAllText(Compose).Replace("  gateway:\n", "  gateway:\n    restart_policy: always\n");
        Assert.Contains("restart_policy", broken);
        string file = TempFile(".yaml", broken, Deploy); // beside compose.yaml, so its relative paths still resolve
        try
        {
            var (code, output) = await Dclint(file);
            Assert.NotEqual(0, code);
            Assert.Contains("invalid-schema", output);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task the_manifests_pass_the_checks_no_schema_makes()
    {
        var documents = await ManifestsAsync(Manifests);
        Assert.Empty(ManifestProblems(documents));
        Assert.Equal(Services.Append("gateway").Order(), documents.Where(d => Kind(d) == "Deployment").Select(Name).Order());
        Assert.Contains(documents, d => Kind(d) == "StatefulSet" && Name(d) == "rabbitmq" && (int)d["spec"]!["replicas"]! == 3);
        Assert.Contains(documents, d => Kind(d) == "StatefulSet" && Name(d) == "postgres" && (int)d["spec"]!["replicas"]! == 2);
    }

    [Fact]
    public async Task the_checks_reject_a_manifest_that_breaks_them()
    {
        string file = TempFile(".yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: intake}
            spec:
              replicas: 1
              selector: {matchLabels: {app.kubernetes.io/name: intake}}
              template:
                metadata: {labels: {app.kubernetes.io/name: intake}}
                spec:
                  securityContext: {runAsUser: 0}
                  containers:
                    - name: intake
                      image: takedowns-intake
                      env: [{name: TAKEDOWNS_ADMIN_KEY, value: literal-key}, {name: RabbitMQ__Host, value: rabbitmq}]
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: takedowns-secrets}
            stringData: {admin-key: literal-key}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: intake}
            spec: {type: NodePort, selector: {app.kubernetes.io/name: intake}, ports: [{port: 5101}]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: open}
            spec: {podSelector: {}, ingress: [{}]}
            """);
        try
        {
            string problems = string.Join('\n', ManifestProblems(await ManifestsAsync(file)));
            foreach (string expected in new[]
                     {
                         "2 replicas", "readiness probe", "liveness probe", "memory limit", "root", "literal",
                         "RabbitMQ__Host", "Secret takedowns-secrets carries data", "Service intake is NodePort",
                         "NetworkPolicy open",
                     })
                Assert.Contains(expected, problems);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task the_compose_file_passes_the_checks_no_schema_makes()
    {
        var compose = (await ParseAsync("yaml", Compose)).Single();
        var services = compose["services"]!.AsObject();
        var problems = new List<string>();
        foreach (string service in Services)
        {
            var instances = services.Where(s => s.Key.StartsWith(service + "-")).Select(s => s.Key).ToList();
            if (instances.Count < 2) problems.Add($"{service}: {instances.Count} instance(s), not at least 2");
            string upstreams = (string)services["gateway"]!["environment"]![$"Services__{service}"]!;
            foreach (string instance in instances)
                if (!upstreams.Contains($"http://{instance}:")) problems.Add($"the gateway does not route to {instance}");
        }
        foreach (var (name, service) in services)
        {
            bool dotnet = service!["build"] is not null;
            if (service["ports"] is not null && name != "gateway") problems.Add($"{name} publishes a port");
            if (service["user"] is JsonValue user && ((string)user! is "root" || ((string)user!).StartsWith('0')))
                problems.Add($"{name} runs as root");
            if (!dotnet && service["user"] is null) problems.Add($"{name} does not name a non-root user");
            if (service["healthcheck"]?["test"] is null) problems.Add($"{name} has no health check");
            if (service["networks"]!.AsArray().Select(n => (string)n!).Any(n => n != "backend") && name != "gateway")
                problems.Add($"{name} is on a network other than backend");
            if (!dotnet) continue;
            if (!service["healthcheck"]!["test"]!.AsArray().Select(t => (string)t!).Contains("/health/ready"))
                problems.Add($"{name}'s health check is not /health/ready");
            foreach (var (key, value) in service["environment"]!.AsObject())
            {
                if (!ServiceSettings.Contains(key) && key != "Marten__Schema") problems.Add($"{name}: unknown setting {key}");
                string text = (string)value!;
                if (SecretSettings.Contains(key) && !text.StartsWith("${")) problems.Add($"{name}: {key} is written in the file");
                if (key.StartsWith("ConnectionStrings__") && !text.Contains("Password=${")) problems.Add($"{name}: {key} carries a password");
            }
        }
        if (compose["networks"]?["backend"]?["internal"]?.GetValue<bool>() != true) problems.Add("the backend network is not internal");
        foreach (var (name, secret) in compose["secrets"]!.AsObject())
            if (secret!["environment"] is null && secret["file"] is null && secret["external"] is null)
                problems.Add($"secret {name} is not taken from the operator's environment or files");
        Assert.Empty(problems);

        string dockerfile = File.ReadAllText(Path.Combine(Deploy, "Dockerfile"));
        Assert.Contains("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", dockerfile);
        Assert.Contains("FROM mcr.microsoft.com/dotnet/aspnet:10.0", dockerfile);
        string imageUser = dockerfile.Split('\n').Last(l => l.StartsWith("USER ")).Split(' ', ':')[1];
        Assert.True(int.Parse(imageUser) > 0, "the image runs as root");
    }

    [Fact]
    public async Task the_scripts_inside_the_manifests_are_the_ones_compose_runs()
    {
        var configMaps = (await ManifestsAsync(Manifests)).Where(d => Kind(d) == "ConfigMap").ToDictionary(Name);
        Assert.Equal(File.ReadAllText(Path.Combine(Deploy, "rabbitmq", "entrypoint.sh")), (string)configMaps["rabbitmq"]["data"]!["entrypoint.sh"]!);
        Assert.Equal(File.ReadAllText(Path.Combine(Deploy, "postgres", "primary-init.sh")), (string)configMaps["postgres"]["data"]!["primary-init.sh"]!);
        Assert.Equal(File.ReadAllText(Path.Combine(Deploy, "postgres", "replica-entrypoint.sh")), (string)configMaps["postgres"]["data"]!["replica-entrypoint.sh"]!);
        string kustomization = File.ReadAllText(Path.Combine(Manifests, "kustomization.yaml"));
        foreach (string file in Directory.GetFiles(Manifests, "*.yaml").Select(f => Path.GetFileName(f)).Where(f => f != "kustomization.yaml"))
            Assert.Contains($"  - {file}", kustomization);
    }

    /// <summary>What the Kubernetes schemas cannot say, one line per problem.</summary>
    private static List<string> ManifestProblems(IReadOnlyList<JsonNode> documents)
    {
        var problems = new List<string>();
        foreach (var document in documents)
        {
            string kind = Kind(document), name = Name(document);
            switch (kind)
            {
                case "Secret":
                    if (document["data"] is JsonObject { Count: > 0 } || document["stringData"] is JsonObject { Count: > 0 })
                        problems.Add($"Secret {name} carries data: secrets are referred to, never written in the manifests");
                    break;
                case "Service":
                    string type = (string?)document["spec"]?["type"] ?? "ClusterIP";
                    if (type != "ClusterIP" && name != "gateway") problems.Add($"Service {name} is {type}: only the gateway is exposed");
                    break;
                case "NetworkPolicy":
                    foreach (var rule in document["spec"]?["ingress"]?.AsArray() ?? [])
                    {
                        bool fromAnywhere = rule?["from"] is not JsonArray { Count: > 0 } from || from.Any(f => f?["ipBlock"] is not null);
                        var selector = document["spec"]?["podSelector"]?["matchLabels"]?["app.kubernetes.io/name"];
                        if (fromAnywhere && (string?)selector != "gateway")
                            problems.Add($"NetworkPolicy {name} lets in connections from outside to pods other than the gateway's");
                    }
                    break;
                case "Deployment" or "StatefulSet":
                    problems.AddRange(WorkloadProblems(kind, name, document));
                    break;
            }
        }
        return problems;
    }

    private static IEnumerable<string> WorkloadProblems(string kind, string name, JsonNode workload)
    {
        var pod = workload["spec"]?["template"]?["spec"];
        if (kind == "Deployment" && (int?)workload["spec"]?["replicas"] < 2) yield return $"Deployment {name}: fewer than 2 replicas";
        var podSecurity = pod?["securityContext"];
        var containers = (pod?["containers"]?.AsArray() ?? []).Concat(pod?["initContainers"]?.AsArray() ?? []);
        foreach (var container in containers)
        {
            string where = $"{kind} {name}, container {(string?)container?["name"]}";
            var security = container?["securityContext"];
            bool nonRoot = (bool?)(security?["runAsNonRoot"] ?? podSecurity?["runAsNonRoot"]) == true;
            long? user = (long?)(security?["runAsUser"] ?? podSecurity?["runAsUser"]);
            if (!nonRoot || user is null or 0) yield return $"{where} may run as root (runAsNonRoot and a non-zero runAsUser)";
            if (container?["resources"]?["limits"]?["memory"] is null) yield return $"{where} has no memory limit";
            if (container?["readinessProbe"] is null) yield return $"{where} has no readiness probe";
            if (container?["livenessProbe"] is null) yield return $"{where} has no liveness probe";
            if (kind != "Deployment") continue;
            if ((string?)container?["readinessProbe"]?["httpGet"]?["path"] != "/health/ready") yield return $"{where}: readiness probe is not /health/ready";
            if ((string?)container?["livenessProbe"]?["httpGet"]?["path"] != "/health/live") yield return $"{where}: liveness probe is not /health/live";
            foreach (var variable in container?["env"]?.AsArray() ?? [])
            {
                string variableName = (string)variable!["name"]!;
                if (!ServiceSettings.Contains(variableName)) yield return $"{where}: {variableName} is not a setting the services read";
                if (SecretSettings.Contains(variableName) && variable["valueFrom"]?["secretKeyRef"] is null)
                    yield return $"{where}: {variableName} is a literal value, not taken from a Secret";
            }
        }
    }

    private static string Kind(JsonNode document) => (string?)document["kind"] ?? "";
    private static string Name(JsonNode document) => (string?)document["metadata"]?["name"] ?? "";

    private static async Task<IReadOnlyList<JsonNode>> ManifestsAsync(string path) =>
        (await ParseAsync("kubernetes", path)).Where(d => Kind(d) != "Kustomization").ToList();

    /// <summary>The documents of YAML files as validate.mjs reads them, merge keys resolved.</summary>
    private static async Task<List<JsonNode>> ParseAsync(string mode, string path)
    {
        string json = Path.Combine(Path.GetTempPath(), $"takedowns-deploy-{Guid.NewGuid():N}.json");
        try
        {
            var (_, output) = await RunAsync("node", Path.Combine(Deploy, "validate.mjs"), mode, path, "--json", json);
            Assert.True(File.Exists(json), $"validate.mjs wrote no JSON:\n{output}");
            return JsonNode.Parse(File.ReadAllText(json))!.AsArray().Select(e => e!["document"]!.DeepClone()).ToList();
        }
        finally { File.Delete(json); }
    }

    private static Task<(int, string)> Dclint(string file)
    {
        string dclint = Path.Combine(Tools, "node_modules", ".bin", "dclint");
        Assert.True(File.Exists(dclint), $"{dclint} is missing: run infra/test, which installs it.");
        return RunAsync(dclint, file, "-c", Path.Combine(Deploy, ".dclintrc.yaml"), "--max-warnings", "0", "--color", "false");
    }

    private static string TempFile(string extension, string content, string? directory = null)
    {
        string file = Path.Combine(directory ?? Path.GetTempPath(), $"takedowns-deploy-test-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(file, content);
        return file;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["TAKEDOWNS_TOOLS"] = Tools;
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
