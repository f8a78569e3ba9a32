#!/bin/sh
# Seeds a lab Debian host non-compliant with EO-VPN-1, from the packages baked into the lab image
# (nothing is fetched): a live WireGuard tunnel (wireguard-go on a tun device), an OpenVPN client unit
# enabled and running, a NetworkManager VPN profile and an approved strongSwan connection (the
# policy's nitb-s2s). Needs CAP_NET_ADMIN and /dev/net/tun; safe to run again.
set -eu

# WireGuard: the kernel here has no wireguard module, so the userspace implementation holds the tun.
if ! ip link show wg0 >/dev/null 2>&1; then
    WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wireguard-go wg0 >/dev/null 2>&1
fi
umask 077
[ -s /etc/wireguard/lab-wg0.key ] || wg genkey > /etc/wireguard/lab-wg0.key
wg set wg0 private-key /etc/wireguard/lab-wg0.key listen-port 51820 \
    peer "$(wg genkey | wg pubkey)" endpoint 203.0.113.60:51820 allowed-ips 0.0.0.0/0
ip address replace 10.99.0.1/24 dev wg0
ip link set wg0 up

# OpenVPN: a point-to-point client that brings its tun up without waiting for the peer.
mkdir -p /etc/openvpn/client
[ -s /etc/openvpn/client/lab-home.key ] || openvpn --genkey secret /etc/openvpn/client/lab-home.key >/dev/null
cat > /etc/openvpn/client/lab-home.conf <<'CONF'
dev tun-home
dev-type tun
remote 203.0.113.50 1194 udp
ifconfig 10.98.0.1 10.98.0.2
secret /etc/openvpn/client/lab-home.key
cipher AES-256-CBC
verb 1
CONF
systemctl enable --now openvpn-client@lab-home.service >/dev/null 2>&1

# NetworkManager keeps profiles as keyfiles; this one is an OpenVPN profile to a home server.
mkdir -p /etc/NetworkManager/system-connections
cat > /etc/NetworkManager/system-connections/lab-home-vpn.nmconnection <<'CONF'
[connection]
id=lab-home-vpn
uuid=6f1d3c2e-8a0b-4c55-9d2e-2b7f3a1c9e01
type=vpn
autoconnect=false

[vpn]
connection-type=static-key
remote=203.0.113.50
service-type=org.freedesktop.NetworkManager.openvpn

[ipv4]
method=auto
CONF

# strongSwan: the approved site-to-site connection nitb-s2s (policy approved_vpns), loaded by charon.
cat > /etc/swanctl/conf.d/nitb-s2s.conf <<'CONF'
connections {
    nitb-s2s {
        remote_addrs = 198.51.100.10
        local {
            auth = psk
            id = lab-host
        }
        remote {
            auth = psk
            id = 198.51.100.10
        }
        children {
            nitb-s2s {
                remote_ts = 10.0.60.0/29
            }
        }
    }
}
secrets {
    ike-nitb-s2s {
        id = 198.51.100.10
        secret = lab-only-preshared-key
    }
}
CONF
systemctl enable --now strongswan.service >/dev/null 2>&1
swanctl --load-all >/dev/null 2>&1
