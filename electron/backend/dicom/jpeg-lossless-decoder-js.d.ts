// jpeg-lossless-decoder-js 2.1.2 names a types file its package does not ship; this is the part we use.
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    constructor(buffer?: ArrayBuffer | null, numBytes?: number);
    /** Decodes one JPEG lossless (ITU-T T.81 process 14) codestream; 8-bit output for numBytes 1, else 16-bit. */
    decode(buffer?: ArrayBuffer, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
