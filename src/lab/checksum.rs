//! What the wire repairs: the TCP and UDP checksums that the sending
//! kernel left to a network card that is not there.

/// The length of an Ethernet header: two addresses and the EtherType.
const ETHERNET_HEADER: usize = 14;
/// Where the EtherType is, in an Ethernet header.
const ETHERTYPE_AT: usize = 12;
/// EtherType: IPv4.
const IPV4: u16 = 0x0800;
/// EtherType: IPv6.
const IPV6: u16 = 0x86DD;
/// The shortest IPv4 header, and IPv6's fixed one.
const IPV4_MIN_HEADER: usize = 20;
const IPV6_HEADER: usize = 40;
/// IP protocol numbers.
const TCP: u8 = 6;
const UDP: u8 = 17;
/// Where the checksum is in a TCP and in a UDP header.
const TCP_CHECKSUM_AT: usize = 16;
const UDP_CHECKSUM_AT: usize = 6;

/// Complete the TCP and UDP checksums of the frame's packet.
///
/// A sending kernel leaves them to the network card ("checksum offload"),
/// and a VXLAN interface passes that promise on; a frame that crosses a
/// program, as here, reaches the other end with the checksum never filled
/// in, and its TCP would drop every segment. So the wire fills it in, as
/// the card would. (`ethtool -K eth0 tx off` on every interface is the
/// other way, but ethtool is not everywhere.)
pub(super) fn fix_checksums(frame: &mut [u8]) {
    if frame.len() < ETHERNET_HEADER {
        return;
    }
    let ethertype =
        u16::from_be_bytes([frame[ETHERTYPE_AT], frame[ETHERTYPE_AT + 1]]);
    let packet = &mut frame[ETHERNET_HEADER..];
    let (pseudo, proto, l4) = match ethertype {
        IPV4 if packet.len() >= IPV4_MIN_HEADER => {
            let ihl = usize::from(packet[0] & 0x0F) * 4;
            let total = usize::from(u16::from_be_bytes([packet[2], packet[3]]));
            let fragmented =
                u16::from_be_bytes([packet[6], packet[7]]) & 0x3FFF != 0;
            if fragmented
                || ihl < IPV4_MIN_HEADER
                || total > packet.len()
                || total < ihl
            {
                return;
            }
            let proto = packet[9];
            let len = total - ihl;
            let mut pseudo = Vec::with_capacity(12);
            pseudo.extend_from_slice(&packet[12..20]);
            pseudo.extend_from_slice(&[0, proto]);
            pseudo.extend_from_slice(
                &u16::try_from(len).unwrap_or(0).to_be_bytes(),
            );
            (pseudo, proto, &mut packet[ihl..total])
        }
        IPV6 if packet.len() >= IPV6_HEADER => {
            let len = usize::from(u16::from_be_bytes([packet[4], packet[5]]));
            let proto = packet[6];
            if IPV6_HEADER + len > packet.len() {
                return;
            }
            let mut pseudo = Vec::with_capacity(40);
            pseudo.extend_from_slice(&packet[8..IPV6_HEADER]);
            pseudo.extend_from_slice(
                &u32::try_from(len).unwrap_or(0).to_be_bytes(),
            );
            pseudo.extend_from_slice(&[0, 0, 0, proto]);
            (pseudo, proto, &mut packet[IPV6_HEADER..IPV6_HEADER + len])
        }
        _ => return,
    };
    let at = match proto {
        TCP if l4.len() >= 20 => TCP_CHECKSUM_AT,
        UDP if l4.len() >= 8 => UDP_CHECKSUM_AT,
        _ => return,
    };
    // UDP over IPv4 may go without a checksum (zero): leave it so.
    if proto == UDP && ethertype == IPV4 && l4[at..at + 2] == [0, 0] {
        return;
    }
    l4[at] = 0;
    l4[at + 1] = 0;
    let mut sum: u32 = 0;
    for chunk in pseudo.chunks(2).chain(l4.chunks(2)) {
        let word =
            u16::from_be_bytes([chunk[0], chunk.get(1).copied().unwrap_or(0)]);
        sum += u32::from(word);
    }
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    let mut checksum = !(u16::try_from(sum).unwrap_or(0));
    if proto == UDP && checksum == 0 {
        checksum = 0xFFFF;
    }
    l4[at..at + 2].copy_from_slice(&checksum.to_be_bytes());
}
