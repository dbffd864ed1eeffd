namespace ErieCanal.Orleans.Conformance.Tests.Objects;

/// <summary>
/// The hello pods' program (k8s_objects.go socatListenerScript), character for character: it finds the pod's IP
/// families in MY_POD_IPS and listens on port 42 with socat, answering "pod ip &lt;first ip&gt;".
/// </summary>
public static class SocatListenerScript
{
    public static string For(string protocol) => Template.Replace("{PROTOCOL}", protocol, StringComparison.Ordinal);

    // The Go source splices the protocol in front of "-LISTEN"/"6-LISTEN"; so does the placeholder.
    private const string Template = """
        # Detect IP families available on the pod from podIPs
        # The downward API provides podIPs as a plain string (single IP or space/comma-separated list)
        has_ipv4=false
        has_ipv6=false

        # Check for IPv4 pattern (dotted decimal notation)
        if echo "$MY_POD_IPS" | grep -qE '([^0-9]|^)[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}([^0-9]|$)'; then has_ipv4=true; fi

        # Check for IPv6 pattern (hex digits with at least two colons)
        if echo "$MY_POD_IPS" | grep -qE '[0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F:]*'; then has_ipv6=true; fi

        # Debug: log what we detected
        echo "DEBUG: MY_POD_IPS=$MY_POD_IPS" >&2
        echo "DEBUG: has_ipv4=$has_ipv4, has_ipv6=$has_ipv6" >&2

        # Extract first IP address (may be space or comma separated)
        first_ip=$(echo "$MY_POD_IPS" | tr ',' ' ' | awk '{print $1}')
        echo "DEBUG: first_ip=$first_ip" >&2

        # Choose socat listener based on available IP families
        # Export first_ip so it's available to SYSTEM subprocesses
        export first_ip

        if $has_ipv6 && $has_ipv4; then
        	# Dual-stack: use IPv6 socket that accepts both
        	echo "DEBUG: Starting dual-stack listener" >&2
        	socat -v -v {PROTOCOL}6-LISTEN:42,crlf,reuseaddr,fork,ipv6only=0 SYSTEM:'echo "pod ip $first_ip"'
        elif $has_ipv6; then
        	# IPv6 only
        	echo "DEBUG: Starting IPv6-only listener" >&2
        	socat -v -v {PROTOCOL}6-LISTEN:42,crlf,reuseaddr,fork SYSTEM:'echo "pod ip $first_ip"'
        else
        	# IPv4 only
        	echo "DEBUG: Starting IPv4-only listener" >&2
        	socat -v -v {PROTOCOL}-LISTEN:42,crlf,reuseaddr,fork SYSTEM:'echo "pod ip $first_ip"'
        fi
        """;
}
