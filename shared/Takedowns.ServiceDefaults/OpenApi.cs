using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Takedowns.ServiceDefaults;

internal static class OpenApi
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/swagger/v1/swagger.json";

    public static IServiceCollection AddTakedownsOpenApi(this IServiceCollection services, string serviceName)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = $"Takedowns {serviceName}",
                Version = "v1",
                Description = "Part of Takedowns, a tracker of social-media takedowns against independent media, journalists and activists.",
            });
            o.AddSecurityDefinition(ApiKeyAuthenticationHandler.SchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An organisation's API key (tdk_...) or the admin key.",
            });
            // Relative, so the document is right both behind the gateway and on the service's own port.
            o.AddServer(new OpenApiServer { Url = "/", Description = "This service, or the gateway in front of it" });
            o.OperationFilter<SecurityRequirementFilter>();
            o.DocumentFilter<TagDescriptions>();
            o.SupportNonNullableReferenceTypes();
        });
        return services;
    }

    public static WebApplication UseTakedownsOpenApi(this WebApplication app)
    {
        app.MapSwagger().AllowAnonymous();
        app.UseSwaggerUI();
        return app;
    }

    /// <summary>Describes each group of operations the document uses.</summary>
    private sealed class TagDescriptions : IDocumentFilter
    {
        private static readonly Dictionary<string, string> Descriptions = new()
        {
            ["Reports"] = "Reports of takedowns: submit one, read one, list an organisation's own.",
            ["Report lifecycle"] = "What happens to a report after it is submitted: amendments, evidence, appeals, verification, retraction, erasure of the reporter's contact data, history.",
            ["Imports"] = "Bulk import of reports from CSV or NDJSON, processed in the background, with progress and per-row errors.",
            ["Webhooks"] = "Reports sent by form tools and other systems, signed per Standard Webhooks.",
            ["Administration"] = "Organisations, API keys and webhook sources (admin key).",
            ["Analysis"] = "Series and detections for analysts of the network.",
            ["Public"] = "Aggregated, anonymised patterns anyone may read.",
        };

        public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
        {
            var used = swaggerDoc.Paths.Values
                .SelectMany(p => p.Operations is null ? [] : p.Operations.Values.AsEnumerable())
                .SelectMany(o => o.Tags ?? new HashSet<OpenApiTagReference>()).Select(t => t.Name).OfType<string>().ToHashSet();
            swaggerDoc.Tags ??= new HashSet<OpenApiTag>();
            foreach (string name in used.Order())
                swaggerDoc.Tags.Add(new OpenApiTag { Name = name, Description = Descriptions.GetValueOrDefault(name) ?? name });
        }
    }

    /// <summary>Marks every operation as needing the bearer key, or as open to anyone (an empty requirement).</summary>
    private sealed class SecurityRequirementFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            operation.Security ??= [];
            if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security.Add(new OpenApiSecurityRequirement());
                return;
            }
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, context.Document)] = [],
            });
        }
    }
}
