namespace ErieCanal.Orleans.Sandbox.Api;

/// <summary>A resource URL taken apart: <c>/apis/{group}/{version}/namespaces/{ns}/{resource}/{name}/{subresource}</c>.</summary>
public sealed record RequestTarget(string Group, string Version, string? Namespace, string Resource, string? Name, string? Subresource)
{
    /// <summary>Parses the segments after <c>/api</c> or <c>/apis</c>; null when the path is not a resource path.</summary>
    public static RequestTarget? Parse(string[] segments)
    {
        if (segments.Length == 0)
        {
            return null;
        }

        string group;
        int index;
        if (segments[0] == "api")
        {
            if (segments.Length < 3)
            {
                return null;
            }

            group = "";
            index = 1;
        }
        else if (segments[0] == "apis")
        {
            if (segments.Length < 4)
            {
                return null;
            }

            group = segments[1];
            index = 2;
        }
        else
        {
            return null;
        }

        var version = segments[index];
        var rest = segments[(index + 1)..];
        if (rest.Length >= 3 && rest[0] == "namespaces" && !(rest.Length == 3 && rest[2] is "status" or "finalize"))
        {
            return rest.Length > 5 ? null : new RequestTarget(group, version, rest[1], rest[2], rest.ElementAtOrDefault(3), rest.ElementAtOrDefault(4));
        }

        return rest.Length > 3 ? null : new RequestTarget(group, version, null, rest[0], rest.ElementAtOrDefault(1), rest.ElementAtOrDefault(2));
    }
}
