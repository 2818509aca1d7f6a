using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;
using Takedowns.Intake.Imports;
using Takedowns.Intake.Webhooks;

namespace Takedowns.Intake.Reports;

/// <summary>Examples in the OpenAPI document for the bodies clients write by hand.</summary>
public sealed class ReportExamples : ISchemaFilter
{
    private static readonly Dictionary<Type, string> Examples = new()
    {
        [typeof(ReportInput)] = """
            {"externalId": "case-2026-117", "platform": "youtube",
             "account": {"handle": "@steppe_news", "url": "https://www.youtube.com/@steppe_news"},
             "subjectType": "independent_media", "country": "KZ", "language": "kk", "audienceSize": 120000,
             "action": "account_suspended",
             "ground": {"category": "intellectual_property", "policy": "Copyright", "claimant": "Example Media Group", "complaintsCount": 14},
             "occurredAt": "2026-11-20T09:30:00+05:00",
             "consent": {"network": true, "platform": true, "publicStatistics": true, "caseStudy": false},
             "reporterContact": {"email": "desk@example.org"}}
            """,
        [typeof(PayloadMapping)] = """
            {"mode": "mapped", "fields": {
              "platform": {"pointer": "/group_takedown/platform"}, "account.handle": {"pointer": "/group_takedown/account"},
              "subjectType": {"value": "journalist"}, "country": {"value": "KZ"},
              "action": {"pointer": "/group_takedown/what", "values": {"banned": "account_suspended"}},
              "ground.category": {"pointer": "/group_takedown/why", "values": {"copyright": "intellectual_property"}},
              "occurredAt": {"pointer": "/group_takedown~1date"}}}
            """,
        [typeof(AppealDecisionRequest)] = """{"outcome": "restored", "decidedOn": "2026-11-25", "note": "Channel back online"}""",
        [typeof(ImportProgress)] = """
            {"importId": "0193f6a2-5c1e-7b1a-9a51-2f4c8f0e1d22", "status": "completed", "format": "csv", "rowsRead": 3,
             "accepted": 2, "duplicates": 0, "rejected": 1, "errors": [{"line": 3, "field": "country", "message": "Must be an ISO 3166-1 alpha-2 code, such as KZ."}],
             "errorsTruncated": false, "failure": null, "createdAt": "2026-11-27T10:00:00+00:00", "completedAt": "2026-11-27T10:00:02+00:00"}
            """,
    };

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && Examples.TryGetValue(context.Type, out string? example))
            concrete.Example = JsonNode.Parse(example);
    }
}
