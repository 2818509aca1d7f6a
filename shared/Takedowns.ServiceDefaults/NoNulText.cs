using System.Text.Json;
using System.Text.Json.Serialization;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// Text may not hold the NUL character (U+0000): PostgreSQL's text and jsonb refuse it, so a value holding one would
/// fail where it is written, after it was accepted, and take the other writes of its batch with it. It is refused where
/// it enters, with the field named.
/// </summary>
public static class NoNulText
{
    public const string Message = "Must not contain the NUL character (U+0000).";

    public static bool Holds(string? value) => value is not null && value.Contains('\0');

    /// <summary>Reads JSON strings for the strict bodies; a string with NUL fails with <see cref="Message"/> at its path.</summary>
    public sealed class Converter : JsonConverter<string>
    {
        public override bool HandleNull => false;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
                throw new JsonException(); // the serializer's own "could not be converted" message, with the path
            string value = reader.GetString()!;
            return Holds(value) ? throw new JsonException(Message) : value;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}
