using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Takedowns.Correlation.Campaigns;

/// <summary>
/// The name of a background count ("claimant:youtube:acme media", "lineday:…:2026-03-01") as a 64-bit hash of its text:
/// counts are looked up and stored by the hash, so a report's counts cost no strings. Written as an interpolated string,
/// the name is hashed from a buffer on the stack: <c>Of($"n:{p}")</c> is the same count as <c>Of("n:" + p)</c>. Two names
/// that hash alike would share a count; among the 3 million names of a million-report history, that has about one
/// chance in five million.
/// </summary>
public static class CountKey
{
    public static long Of(string name) => Hash(name);

    public static long Of(ref Name name)
    {
        try { return Hash(name.Written); }
        finally { name.Dispose(); }
    }

    private static long Hash(ReadOnlySpan<char> name) => (long)NoticeText.Hash(name);

    /// <summary>Builds a count's name in place, on the stack while it fits (most do), in a pooled array when not.</summary>
    [InterpolatedStringHandler]
    public ref struct Name
    {
        [InlineArray(Inline)]
        private struct Buffer
        {
            public const int Inline = 160;
            private char _first;
        }

        private Buffer _inline;
        private char[]? _rented;
        private int _length;

        public Name(int literalLength, int formattedCount) => _length = 0;

        [UnscopedRef] internal ReadOnlySpan<char> Written => Whole[.._length];

        [UnscopedRef] private Span<char> Free => Whole[_length..];

        [UnscopedRef] private Span<char> Whole => _rented is null ? _inline : _rented;

        public void AppendLiteral(string value) => AppendFormatted(value.AsSpan());

        public void AppendFormatted(string? value) => AppendFormatted((value ?? "").AsSpan());

        public void AppendFormatted(ReadOnlySpan<char> value)
        {
            while (!value.TryCopyTo(Free)) Grow();
            _length += value.Length;
        }

        public void AppendFormatted<T>(T value, string? format = null) where T : ISpanFormattable
        {
            int written;
            while (!value.TryFormat(Free, out written, format, CultureInfo.InvariantCulture)) Grow();
            _length += written;
        }

        private void Grow()
        {
            var larger = ArrayPool<char>.Shared.Rent(Math.Max(2 * Buffer.Inline, 2 * (_rented?.Length ?? 0)));
            Written.CopyTo(larger);
            if (_rented is not null) ArrayPool<char>.Shared.Return(_rented);
            _rented = larger;
        }

        internal void Dispose()
        {
            if (_rented is not null) ArrayPool<char>.Shared.Return(_rented);
            _rented = null;
        }
    }
}
