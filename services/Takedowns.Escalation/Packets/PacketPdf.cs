using System.Globalization;
using System.Text;
using System.Text.Json;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace Takedowns.Escalation.Packets;

/// <summary>
/// A packet as a PDF for print or for a platform's upload form: the same parts and words as the HTML page, A4, in DejaVu
/// Sans (embedded in the service, so the rendering does not depend on the host's fonts), Latin and Cyrillic. Text is laid
/// out left to right and wrapped at spaces (a word longer than a line, a URL or a hash, is broken between characters);
/// scripts that need shaping (Arabic, the Indic scripts) are not shaped. Each page's foot gives the page number and, for a
/// finalised version, its SHA-256.
/// </summary>
public static class PacketPdf
{
    private const string Family = "DejaVu Sans";
    private const double Margin = 56; // points: about 2 cm
    private const double FootHeight = 24;

    // Set once, before the first font is made (PDFsharp refuses a resolver set after that).
    static PacketPdf() => GlobalFontSettings.FontResolver = new EmbeddedFonts();

    /// <summary>The PDF's bytes.</summary>
    public static byte[] Render(JsonElement packet, FrozenVersion? frozen)
    {
        var (title, head, ask, accounts, timeline, coordination, omitted, signed) = PacketRendering.Parts(packet, frozen);
        string lang = PacketRendering.Text(packet, "language") ?? "en";
        string W(string key) => PacketRendering.Word(lang, key);

        using var document = new PdfDocument();
        document.Info.Title = title;
        document.Info.Subject = $"{PacketRendering.Text(packet, "packetId")} v{packet.GetProperty("version").GetInt32()}";
        document.Info.Creator = "Takedowns";
        document.Language = lang;
        var writer = new Writer(document);
        writer.Heading(title, 16);
        foreach (var l in head) writer.Labelled(l.Label, l.Value);
        if (ask is not null)
        {
            writer.Heading(W("ask"), 13);
            writer.Paragraph(ask);
        }
        writer.Heading(W("accounts"), 13);
        foreach (var (heading, lines, notice, elements) in accounts)
        {
            writer.Heading(heading, 11);
            foreach (var l in lines) writer.Labelled(l.Label, l.Value);
            if (elements.Count > 0) writer.Labelled(W("elements"), string.Join("; ", elements));
            if (notice is not null)
            {
                writer.Labelled(W("noticeText"), "");
                writer.Quote(notice);
            }
            writer.Space(6);
        }
        writer.Heading(W("timeline"), 13);
        foreach (string t in timeline) writer.Paragraph("• " + t);
        if (coordination is not null)
        {
            writer.Heading(W("coordination"), 13);
            foreach (var l in coordination) writer.Labelled(l.Label, l.Value);
        }
        writer.Space(8);
        writer.Paragraph(omitted);
        if (signed is not null) writer.Paragraph(signed, small: true);
        writer.Finish(frozen is null ? null : frozen.Sha256);

        using var bytes = new MemoryStream();
        document.Save(bytes, false);
        return bytes.ToArray();
    }

    /// <summary>Lays text out page after page, top to bottom.</summary>
    private sealed class Writer
    {
        private static readonly XPdfFontOptions Unicode = new(PdfFontEncoding.Unicode);
        private readonly PdfDocument _document;
        private readonly XFont _regular = new(Family, 10, XFontStyleEx.Regular, Unicode);
        private readonly XFont _bold = new(Family, 10, XFontStyleEx.Bold, Unicode);
        private readonly XFont _small = new(Family, 8, XFontStyleEx.Regular, Unicode);
        private XGraphics _page = null!;
        private double _y;
        private double _width;
        private double _bottom;

        public Writer(PdfDocument document)
        {
            _document = document;
            NewPage();
        }

        private void NewPage()
        {
            _page?.Dispose();
            var page = _document.AddPage();
            page.Size = PdfSharp.PageSize.A4;
            _page = XGraphics.FromPdfPage(page);
            _width = page.Width.Point - 2 * Margin;
            _bottom = page.Height.Point - Margin - FootHeight;
            _y = Margin;
        }

        /// <summary>Room for <paramref name="height"/> more points, on a new page if this one has not.</summary>
        private void Room(double height)
        {
            if (_y + height > _bottom) NewPage();
        }

        public void Space(double points) => _y += points;

        public void Heading(string text, double size)
        {
            var font = new XFont(Family, size, XFontStyleEx.Bold, Unicode);
            var lines = Wrap(text, font, _width, _width);
            // A heading stays with at least two lines of what follows it.
            Room(size * 0.6 + lines.Count * font.GetHeight() + 2 * _regular.GetHeight());
            _y += size * 0.6;
            foreach (string line in lines) Draw(line, font, Margin);
            _y += 2;
        }

        public void Paragraph(string text, bool small = false)
        {
            var font = small ? _small : _regular;
            foreach (string paragraph in Lines(text))
                foreach (string line in Wrap(paragraph, font, _width, _width))
                {
                    Room(font.GetHeight());
                    Draw(line, font, Margin);
                }
            _y += 2;
        }

        /// <summary>"Label: value", the label in bold, the value wrapped under the same indent.</summary>
        public void Labelled(string label, string value)
        {
            string lead = label + ": ";
            double indent = _page.MeasureString(lead, _bold).Width;
            // A label too wide for its line puts the value on the lines below it.
            bool below = indent > _width / 2;
            var lines = Wrap(Flat(value), _regular, below ? _width - 12 : _width - indent, _width - 12);
            // A label stays with the first line of its value (on the line below it, or after it when it has none: a quote follows).
            Room((below || value.Length == 0 ? 2 : 1) * _regular.GetHeight());
            _page.DrawString(lead, _bold, XBrushes.Black, Margin, _y, XStringFormats.TopLeft);
            if (below || lines.Count == 0 || lines[0].Length == 0) _y += _regular.GetHeight();
            for (int i = 0; i < lines.Count; i++)
            {
                if (lines[i].Length == 0) continue;
                Room(_regular.GetHeight());
                Draw(lines[i], _regular, i == 0 && !below ? Margin + indent : Margin + 12);
            }
        }

        /// <summary>Text quoted as written (a notice), indented with a rule beside it.</summary>
        public void Quote(string text)
        {
            foreach (string paragraph in Lines(text))
                foreach (string line in Wrap(paragraph, _regular, _width - 16, _width - 16))
                {
                    Room(_regular.GetHeight());
                    _page.DrawLine(XPens.Gray, Margin + 4, _y, Margin + 4, _y + _regular.GetHeight());
                    Draw(line, _regular, Margin + 16);
                }
            _y += 4;
        }

        private void Draw(string line, XFont font, double x)
        {
            if (line.Length > 0) _page.DrawString(line, font, XBrushes.Black, x, _y, XStringFormats.TopLeft);
            _y += font.GetHeight();
        }

        /// <summary>Page numbers, and the finalised version's SHA-256, at the foot of every page.</summary>
        public void Finish(string? sha256)
        {
            _page.Dispose();
            int count = _document.PageCount;
            for (int i = 0; i < count; i++)
            {
                var page = _document.Pages[i];
                using var g = XGraphics.FromPdfPage(page, XGraphicsPdfPageOptions.Append);
                double y = page.Height.Point - Margin - FootHeight + 10;
                string foot = string.Create(CultureInfo.InvariantCulture, $"{i + 1} / {count}") + (sha256 is null ? "" : "   SHA-256 " + sha256);
                g.DrawString(foot, _small, XBrushes.Gray, Margin, y, XStringFormats.TopLeft);
            }
        }

        /// <summary>The lines of a text as written, tabs as spaces, without other control characters.</summary>
        private static IEnumerable<string> Lines(string text) => text.Replace("\r\n", "\n").Split('\n').Select(Flat);

        private static string Flat(string text)
        {
            var sb = new StringBuilder(text.Length);
            foreach (char c in text) sb.Append(c is '\t' or '\n' or '\r' ? ' ' : char.IsControl(c) ? '\uFFFD' : c);
            return sb.ToString();
        }

        /// <summary>Words to lines no wider than the widths (the first line's, the others'); a word wider than a line is broken between characters.</summary>
        private List<string> Wrap(string text, XFont font, double first, double rest)
        {
            var lines = new List<string>();
            var current = new StringBuilder();
            double Width(string s) => _page.MeasureString(s, font).Width;
            double Limit() => lines.Count == 0 ? first : rest;
            foreach (string word in text.Split(' '))
            {
                string candidate = current.Length == 0 ? word : current + " " + word;
                if (Width(candidate) <= Limit())
                {
                    current.Clear().Append(candidate);
                    continue;
                }
                if (current.Length > 0)
                {
                    lines.Add(current.ToString());
                    current.Clear();
                }
                // The word alone, broken where it overflows.
                foreach (var element in EnumerateElements(word))
                {
                    if (current.Length > 0 && Width(current + element) > Limit())
                    {
                        lines.Add(current.ToString());
                        current.Clear();
                    }
                    current.Append(element);
                }
            }
            if (current.Length > 0 || lines.Count == 0) lines.Add(current.ToString());
            return lines;
        }

        /// <summary>A string's user-perceived characters, so a break never splits a surrogate pair or a combining mark from its letter.</summary>
        private static IEnumerable<string> EnumerateElements(string s)
        {
            var e = StringInfo.GetTextElementEnumerator(s);
            while (e.MoveNext()) yield return e.GetTextElement();
        }
    }

    /// <summary>DejaVu Sans regular and bold, from the service's resources; bold and italic requests of any family map to them.</summary>
    private sealed class EmbeddedFonts : IFontResolver
    {
        private static readonly Dictionary<string, byte[]> Faces = new()
        {
            ["DejaVuSans"] = Load("fonts.DejaVuSans.ttf"),
            ["DejaVuSans-Bold"] = Load("fonts.DejaVuSans-Bold.ttf"),
        };

        private static byte[] Load(string name)
        {
            using var stream = typeof(PacketPdf).Assembly.GetManifestResourceStream(name)
                ?? throw new InvalidOperationException($"The font {name} is not embedded in the service.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }

        // Italic is simulated by slanting (there is no italic face embedded).
        public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) =>
            new(bold ? "DejaVuSans-Bold" : "DejaVuSans", mustSimulateBold: false, mustSimulateItalic: italic);

        public byte[]? GetFont(string faceName) => Faces.GetValueOrDefault(faceName);
    }
}
