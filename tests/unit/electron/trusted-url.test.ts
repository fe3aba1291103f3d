import { describe, expect, it } from 'vitest';
import { isTrustedExternalUrl, isTrustedSenderUrl, parseImageUrl, resolveAppAsset } from '../../../electron/trusted-url';

describe('isTrustedExternalUrl', () => {
  it('opens only https documentation hosts', () => {
    expect(isTrustedExternalUrl('https://www.dicomstandard.org/current')).toBe(true);
    expect(isTrustedExternalUrl('http://www.dicomstandard.org/current')).toBe(false);
    expect(isTrustedExternalUrl('https://evil.example/')).toBe(false);
    expect(isTrustedExternalUrl('https://user:pw@www.dicomstandard.org/')).toBe(false);
    expect(isTrustedExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isTrustedExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isTrustedExternalUrl('not a url')).toBe(false);
  });
});

describe('isTrustedSenderUrl', () => {
  it('accepts only the app origin', () => {
    expect(isTrustedSenderUrl('app://osteoplan/index.html')).toBe(true);
    expect(isTrustedSenderUrl('app://other/index.html')).toBe(false);
    expect(isTrustedSenderUrl('http://127.0.0.1:3000/')).toBe(false);
    expect(isTrustedSenderUrl('file:///index.html')).toBe(false);
    expect(isTrustedSenderUrl(undefined)).toBe(false);
    expect(isTrustedSenderUrl('')).toBe(false);
  });
});

describe('resolveAppAsset', () => {
  it('maps app URLs below the renderer folder', () => {
    expect(resolveAppAsset('app://osteoplan/')).toBe('index.html');
    expect(resolveAppAsset('app://osteoplan/index.html')).toBe('index.html');
    expect(resolveAppAsset('app://osteoplan/assets/main-abc.js?x=1')).toBe('assets/main-abc.js');
  });
  it('refuses anything that leaves it', () => {
    // The URL parser already clamps dot segments at the root, so this stays inside the folder.
    expect(resolveAppAsset('app://osteoplan/%2e%2e/%2e%2e/etc/passwd')).toBe('etc/passwd');
    expect(resolveAppAsset('app://osteoplan/assets/..%5c..%5csecret')).toBeNull();
    expect(resolveAppAsset('app://osteoplan/a%00b')).toBeNull();
    expect(resolveAppAsset('app://elsewhere/index.html')).toBeNull();
    expect(resolveAppAsset('https://osteoplan/index.html')).toBeNull();
  });
});

describe('parseImageUrl', () => {
  it('takes only a positive integer id', () => {
    expect(parseImageUrl('osteoplan-image://image/42')).toBe(42);
    expect(parseImageUrl('osteoplan-image://image/0')).toBeNull();
    expect(parseImageUrl('osteoplan-image://image/-1')).toBeNull();
    expect(parseImageUrl('osteoplan-image://image/..%2Fstore')).toBeNull();
    expect(parseImageUrl('osteoplan-image://image//etc/passwd')).toBeNull();
    expect(parseImageUrl('osteoplan-image://other/42')).toBeNull();
    expect(parseImageUrl('osteoplan-image://image/99999999999999999999')).toBeNull();
  });
});
