// A real PNG of w x h pixels in one colour (browsers, cairo and the server's
// checks read it), for the logo tests and the API examples. rgb: the
// colour; claim: [w, h] for the header to state instead of the real size.
import zlib from 'node:zlib';

export function png(w, h, { rgb = [0x40, 0x40, 0x40], claim } = {}) {
  const row = Buffer.concat([Buffer.from([0]), Buffer.concat(Array(w).fill(Buffer.from(rgb)))]);
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([Buffer.from(type), data])));
    return Buffer.concat([len, Buffer.from(type), data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(claim ? claim[0] : w, 0);
  ihdr.writeUInt32BE(claim ? claim[1] : h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.concat(Array(h).fill(row)))),
    chunk('IEND', Buffer.alloc(0))]);
}

// The demo's green.
export const GREEN = [0x0b, 0x6e, 0x4f];
