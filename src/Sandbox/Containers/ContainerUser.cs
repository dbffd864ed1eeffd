using System.Globalization;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// Who a container's process runs as: securityContext runAsUser/runAsGroup (the container's over the pod's), else the
/// image's USER (a number or a name looked up in the image's /etc/passwd and /etc/group); fsGroup and
/// supplementalGroups become additional groups. runAsNonRoot refuses uid 0 as the kubelet does.
/// </summary>
public sealed record ContainerUser(int Uid, int Gid, IReadOnlyList<int> AdditionalGids)
{
    public static ContainerUser Resolve(JsonObject pod, JsonObject container, ImageConfig image, string rootFs)
    {
        var podContext = pod["spec"]?["securityContext"] as JsonObject;
        var context = container["securityContext"] as JsonObject;
        long? Setting(string name) => context?[name]?.GetValue<long>() ?? podContext?[name]?.GetValue<long>();

        var (imageUser, imageGroup) = Split(image.User);
        int? uid = Setting("runAsUser") is { } u ? (int)u : null;
        int? gid = Setting("runAsGroup") is { } g ? (int)g : null;
        if (uid is null && imageUser.Length > 0)
        {
            uid = int.TryParse(imageUser, CultureInfo.InvariantCulture, out var number) ? number
                : Lookup(Path.Combine(rootFs, "etc/passwd"), imageUser, 2) ?? throw new ContainerConfigException($"unable to find user {imageUser}: no matching entries in passwd file");
        }

        uid ??= 0;
        if (gid is null && imageGroup.Length > 0)
        {
            gid = int.TryParse(imageGroup, CultureInfo.InvariantCulture, out var number) ? number
                : Lookup(Path.Combine(rootFs, "etc/group"), imageGroup, 2) ?? throw new ContainerConfigException($"unable to find group {imageGroup}: no matching entries in group file");
        }

        // Without a group, the user's primary group from the image's passwd (0 when the image has none).
        gid ??= PrimaryGroup(Path.Combine(rootFs, "etc/passwd"), uid.Value) ?? 0;
        var runAsNonRoot = context?["runAsNonRoot"]?.GetValue<bool>() ?? podContext?["runAsNonRoot"]?.GetValue<bool>() ?? false;
        if (runAsNonRoot && uid == 0)
        {
            throw new ContainerConfigException("container has runAsNonRoot and image will run as root");
        }

        var additional = new List<int>();
        if (podContext?["fsGroup"]?.GetValue<long>() is { } fsGroup)
        {
            additional.Add((int)fsGroup);
        }

        additional.AddRange((podContext?["supplementalGroups"] as JsonArray ?? []).Select(n => (int)n!.GetValue<long>()));
        return new ContainerUser(uid.Value, gid.Value, additional.Distinct().ToList());
    }

    private static (string User, string Group) Split(string user)
    {
        var colon = user.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (user, "") : (user[..colon], user[(colon + 1)..]);
    }

    private static int? Lookup(string file, string name, int field)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        return File.ReadLines(file).Select(l => l.Split(':')).Where(f => f.Length > field && f[0] == name)
            .Select(f => int.TryParse(f[field], CultureInfo.InvariantCulture, out var id) ? id : (int?)null).FirstOrDefault();
    }

    private static int? PrimaryGroup(string passwd, int uid)
    {
        if (!File.Exists(passwd))
        {
            return null;
        }

        return File.ReadLines(passwd).Select(l => l.Split(':')).Where(f => f.Length > 3 && f[2] == uid.ToString(CultureInfo.InvariantCulture))
            .Select(f => int.TryParse(f[3], CultureInfo.InvariantCulture, out var id) ? id : (int?)null).FirstOrDefault();
    }
}
