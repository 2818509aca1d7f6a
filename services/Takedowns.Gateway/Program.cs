using Yarp.ReverseProxy.Transforms;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Takedowns.Gateway;
using Takedowns.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddTelemetry("gateway");
builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
builder.Logging.AddSafeJsonLogs();

var (routes, clusters) = Routes.Build(builder.Configuration);
// Services take forwarded headers (the client's address) only from a request that carries the gateway's proof.
string? proof = GatewayProof.Of(builder.Configuration);
builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters).AddTransforms(t =>
{
    if (proof is not null) t.AddRequestHeader(GatewayProof.Header, proof, append: false);
    else t.AddRequestHeaderRemove(GatewayProof.Header);
});
builder.Services.AddHttpClient(DownstreamReadiness.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(5));
builder.Services.AddHttpClient(ParkedGathering.HttpClientName, c => c.Timeout = TimeSpan.FromMinutes(2));
builder.Services.AddHealthChecks()
    .AddCheck<DownstreamReadiness>("services", tags: [ServiceDefaultsExtensions.ReadyTag]);

var app = builder.Build();
app.MapPrometheusScrapingEndpoint(ServiceDefaultsExtensions.MetricsPath);
app.MapHealthChecks(ServiceDefaultsExtensions.LivePath, new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks(ServiceDefaultsExtensions.ReadyPath, new HealthCheckOptions
{
    Predicate = c => c.Tags.Contains(ServiceDefaultsExtensions.ReadyTag), ResponseWriter = HealthJson.WriteAsync,
});
app.UseSwaggerUI(o =>
{
    foreach (string service in Routes.Prefixes.Keys) o.SwaggerEndpoint($"/openapi/{service}.json", service);
});
// A header value the gateway cannot forward (HTTP/1.1 carries ASCII) is the client's mistake: 400 naming it, not 502.
app.Use(async (context, next) =>
{
    foreach (var (name, values) in context.Request.Headers)
        if (values.Any(v => v is not null && !System.Text.Ascii.IsValid(v)))
        {
            await Results.ValidationProblem(new Dictionary<string, string[]>
            {
                [name] = ["Header values must be ASCII; send other text in the body, or percent-encoded."],
            }, title: "The request is not valid.").ExecuteAsync(context);
            return;
        }
    await next(context);
});
app.MapParkedGathering();
app.MapReverseProxy();
app.Run();
