"""The seven framings of lesson 3, in the notes' Python: for each, how a
message is sent (encode) and how one is read back from the stream
(read_frame, on a socket's makefile('rb')). The wire formats are the Rust
codecs' (examples-framing/src/codecs/), byte for byte."""
import base64
import struct
import uuid

MAX = 1 << 20  # the longest message read: a bound on memory


def exactly(f, n):
    """n bytes: f.read(n) on a buffered file loops until it has them."""
    data = f.read(n)
    if len(data) < n:
        raise EOFError('the stream ended %d bytes into a %d-byte read'
                       % (len(data), n))
    return data


def line(f):
    """readline(), bounded: a line must end within MAX bytes."""
    text = f.readline(MAX + 1)
    if not text:
        return None  # b'': the peer closed, between two messages
    if not text.endswith(b'\n'):
        raise ValueError('no newline within %d bytes' % MAX)
    return text[:-1]


# ANCHOR: length
# A length first. The notes: "characters are simpler, however you have to
# pad them to get a constant length". b'%06d' pads with zeros; '%6d' would
# pad with spaces, which are not digits.
def encode_ascii_length(payload):
    return b'%06d' % len(payload) + payload


def read_ascii_length(f):
    header = f.read(6)
    if not header:
        return None
    if len(header) < 6 or not header.isdigit():
        raise ValueError('expected six digits, got %r' % header)
    return exactly(f, int(header))


# Or as binary: '!' is network byte order (big-endian), 'I' four bytes.
def encode_u32_length(payload):
    return struct.pack('!I', len(payload)) + payload


def read_u32_length(f):
    header = f.read(4)
    if not header:
        return None
    (n,) = struct.unpack('!I', header if len(header) == 4 else exactly(f, 4))
    if n > MAX:  # refused from the header alone, before any allocation
        raise ValueError('a %d-byte message; the limit is %d' % (n, MAX))
    return exactly(f, n)
# ANCHOR_END: length


# ANCHOR: netstring
# <length>:<bytes>, (a netstring): no fixed width, and a comma to check.
def encode_netstring(payload):
    return b'%d:%s,' % (len(payload), payload)


def read_netstring(f):
    digits = b''
    while not digits.endswith(b':'):
        byte = f.read(1)
        if not byte:
            if digits:
                raise EOFError('the stream ended inside a length')
            return None
        if len(digits) > 7 or not (byte.isdigit() or byte == b':'):
            raise ValueError('a bad netstring length: %r' % (digits + byte))
        digits += byte
    payload = exactly(f, int(digits[:-1]))
    if exactly(f, 1) != b',':
        raise ValueError('no comma after the netstring')
    return payload
# ANCHOR_END: netstring


# ANCHOR: terminator
# A terminator after each message: '\n', which the data must not hold...
def encode_line(payload):
    return payload + b'\n'


read_line = line


# ...unless it is escaped: '\' becomes '\\', a newline '\n' (two bytes).
def encode_escaped(payload):
    return payload.replace(b'\\', b'\\\\').replace(b'\n', b'\\n') + b'\n'


def read_escaped(f):
    text = line(f)
    if text is None:
        return None
    out, escaped = bytearray(), False
    for byte in text:
        if escaped:
            out += {0x5c: b'\\', 0x6e: b'\n'}[byte]  # KeyError: a bad escape
        elif byte != 0x5c:
            out.append(byte)
        escaped = byte == 0x5c and not escaped
    return bytes(out)


# ...or the data encoded in base64, which has no newline in it at all.
# b64encode, not encodebytes: that one adds a newline every 76 characters.
def encode_base64(payload):
    return base64.b64encode(payload) + b'\n'


def read_base64(f):
    text = line(f)
    return None if text is None else base64.b64decode(text, validate=True)


# ...or a fresh delimiter, sent first on a line of its own, that the data
# does not hold: uuid4().hex is 32 letters and digits. It must not appear
# in payload + delimiter before the end, either (a suffix of the payload
# could begin it).
def encode_delimiter(payload):
    while True:
        d = uuid.uuid4().hex.encode()
        if (payload + d).find(d) == len(payload):
            return d + b'\n' + payload + d


def read_delimiter(f):
    d = line(f)
    if d is None:
        return None
    if not d.isalnum():
        raise ValueError('the delimiter line %r is not letters and digits'
                         % d)
    data = b''
    while not data.endswith(d):  # a byte at a time: never past the end
        if len(data) > MAX + len(d):
            raise ValueError('no delimiter within %d bytes' % MAX)
        data += exactly(f, 1)
    return data[:-len(d)]
# ANCHOR_END: terminator


STRATEGIES = {
    name: (globals()['encode_' + key], globals()['read_' + key])
    for name, key in [('line', 'line'), ('escaped', 'escaped'),
                      ('base64', 'base64'), ('delimiter', 'delimiter'),
                      ('ascii-length', 'ascii_length'),
                      ('u32-length', 'u32_length'),
                      ('netstring', 'netstring')]
}
