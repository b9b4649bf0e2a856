import { describe, expect, it } from 'vitest';
import { contentTypeFor, resolveStaticPath } from '../../../main/server/static-files';

describe('resolveStaticPath', () => {
  it('maps / to index.html and paths inside the folder', () => {
    expect(resolveStaticPath('/app/ui', '/')).toBe('/app/ui/index.html');
    expect(resolveStaticPath('/app/ui', '/assets/index-abc.js?x=1')).toBe('/app/ui/assets/index-abc.js');
  });
  it('never leaves the folder', () => {
    expect(resolveStaticPath('/app/ui', '/../secret')).toBeUndefined();
    expect(resolveStaticPath('/app/ui', '/%2e%2e/%2e%2e/etc/passwd')).toBeUndefined();
    expect(resolveStaticPath('/app/ui', '/assets/..%2f..%2fsecret')).toBeUndefined();
    expect(resolveStaticPath('/app/ui', '/a%00b')).toBeUndefined();
    expect(resolveStaticPath('/app/ui', '/%E0%A4%A')).toBeUndefined();
    expect(resolveStaticPath('/app/ui', '/../ui-other/x')).toBeUndefined();
  });
  it('types the files it serves', () => {
    expect(contentTypeFor('a.js')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('a.weird')).toBe('application/octet-stream');
  });
});
