using System.Text.RegularExpressions;

namespace ErieCanal.Orleans.DataPlane.Gateway;

/// <summary>
/// The pipy ingress rewrite (annotations rewrite-target-from / rewrite-target-to): the first match of the regex in
/// the path is replaced, as JavaScript's String.replace does with a non-global RegExp.
/// </summary>
public sealed class PathRewrite
{
    public const string FromAnnotation = "pipy.ingress.kubernetes.io/rewrite-target-from";
    public const string ToAnnotation = "pipy.ingress.kubernetes.io/rewrite-target-to";

    private readonly Regex _from;

    private PathRewrite(Regex from, string to)
    {
        _from = from;
        To = to;
    }

    public string From => _from.ToString();

    public string To { get; }

    /// <summary>Null when the annotations are absent; throws <see cref="ArgumentException"/> for a bad regex.</summary>
    public static PathRewrite? FromAnnotations(IDictionary<string, string>? annotations)
    {
        if (annotations is null || !annotations.TryGetValue(FromAnnotation, out var from) || string.IsNullOrEmpty(from)
            || !annotations.TryGetValue(ToAnnotation, out var to))
        {
            return null;
        }

        return new PathRewrite(new Regex(from, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)), to ?? "");
    }

    public string Apply(string path)
    {
        var rewritten = _from.Replace(path, To, 1);
        return rewritten.StartsWith('/') ? rewritten : "/" + rewritten;
    }
}
