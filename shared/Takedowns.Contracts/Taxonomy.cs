using System.Text.Json.Serialization;

namespace Takedowns.Contracts;

// The shared vocabulary. Wire names are snake_case and part of the public contract: never rename one.

public enum Platform
{
    [JsonStringEnumMemberName("youtube")] YouTube,
    [JsonStringEnumMemberName("facebook")] Facebook,
    [JsonStringEnumMemberName("instagram")] Instagram,
    [JsonStringEnumMemberName("telegram")] Telegram,
    [JsonStringEnumMemberName("x")] X,
    [JsonStringEnumMemberName("tiktok")] TikTok,
    [JsonStringEnumMemberName("vk")] VK,
    [JsonStringEnumMemberName("ok")] Odnoklassniki,
    [JsonStringEnumMemberName("other")] Other,
}

public enum SubjectType
{
    [JsonStringEnumMemberName("independent_media")] IndependentMedia,
    [JsonStringEnumMemberName("journalist")] Journalist,
    [JsonStringEnumMemberName("blogger")] Blogger,
    [JsonStringEnumMemberName("cso")] Cso,
    [JsonStringEnumMemberName("human_rights_defender")] HumanRightsDefender,
    [JsonStringEnumMemberName("activist")] Activist,
    [JsonStringEnumMemberName("other")] Other,
}

public enum TakedownAction
{
    [JsonStringEnumMemberName("account_suspended")] AccountSuspended,
    [JsonStringEnumMemberName("account_terminated")] AccountTerminated,
    [JsonStringEnumMemberName("content_removed")] ContentRemoved,
    [JsonStringEnumMemberName("content_restricted")] ContentRestricted,
    [JsonStringEnumMemberName("visibility_reduced")] VisibilityReduced,
    [JsonStringEnumMemberName("demonetised")] Demonetised,
    [JsonStringEnumMemberName("feature_restricted")] FeatureRestricted,
    [JsonStringEnumMemberName("account_compromised")] AccountCompromised,
}

public enum GroundCategory
{
    [JsonStringEnumMemberName("intellectual_property")] IntellectualProperty,
    [JsonStringEnumMemberName("community_standards")] CommunityStandards,
    [JsonStringEnumMemberName("impersonation")] Impersonation,
    [JsonStringEnumMemberName("spam")] Spam,
    [JsonStringEnumMemberName("legal_request")] LegalRequest,
    [JsonStringEnumMemberName("government_request")] GovernmentRequest,
    [JsonStringEnumMemberName("unknown")] Unknown,
}
