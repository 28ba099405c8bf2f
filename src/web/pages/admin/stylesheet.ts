/**
 * The admin console's own stylesheet, loaded after the shared one: the console shows tables and
 * charts, so it is wider than the sign-in card. Versioned by a hash of its text like the shared
 * one, so browsers keep it for a year and still see every change.
 */
import { createHash } from 'node:crypto';

// Colours meet WCAG AA on white: #1f2933, #52606d text; #b42318 on #fef3f2; #14532d on #f0fdf4.
const CSS = `body.admin header,body.admin main{max-width:72rem}
body.admin nav{width:100%;max-width:72rem;margin:0 0 1rem}
body.admin nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem}
body.admin nav a{font-weight:600}
body.admin nav a[aria-current=page]{color:#1f2933;text-decoration:none;border-bottom:3px solid #1d4ed8}
body.admin h2{font-size:1.125rem;margin:1.75rem 0 .75rem}
body.admin table{width:100%;border-collapse:collapse;margin:0 0 1rem;font-size:.9375rem}
body.admin th,body.admin td{text-align:left;padding:.5rem .5rem;border-bottom:1px solid #e4e7eb;vertical-align:top}
body.admin th{font-weight:600;color:#52606d}
body.admin td form{margin:0}
body.admin td button,body.admin .nowrap{white-space:nowrap}
body.admin td.details{overflow-wrap:anywhere;font-size:.875rem}
body.admin .actions>*{flex:0 0 auto}
body.admin small{font-size:.8125rem}
body.admin td button{padding:.25rem .75rem;font-size:.875rem}
body.admin button.danger{background:#b42318;border-color:#b42318}
body.admin button.danger:hover{background:#912018;border-color:#912018}
body.admin .inline{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;margin:0 0 1rem}
body.admin .inline>div{flex:1 1 12rem}
body.admin .inline input,body.admin .inline select{margin:0}
body.admin input[type=text],body.admin input[type=search],body.admin input[type=datetime-local],body.admin select,body.admin textarea{display:block;width:100%;font:inherit;padding:.5rem .625rem;border:1px solid #7b8794;border-radius:.5rem;margin:0 0 1rem;background:#fff;color:inherit}
body.admin fieldset{border:1px solid #d2d6dc;border-radius:.5rem;margin:0 0 1rem;padding:.5rem 1rem}
body.admin fieldset label{display:inline;font-weight:400;margin-right:1rem}
body.admin legend{font-weight:600;padding:0 .25rem}
body.admin dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 1rem}
body.admin dt{font-weight:600;color:#52606d}
body.admin dd{margin:0}
body.admin .figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.75rem;margin:0 0 1rem}
body.admin .figure{border:1px solid #d2d6dc;border-radius:.5rem;padding:.75rem}
body.admin .figure strong{display:block;font-size:1.5rem}
body.admin .secret{font-size:1.125rem;background:#f3f4f6;border-radius:.5rem;padding:.75rem;display:block}
body.admin .pager{display:flex;gap:1rem;align-items:center}
body.admin svg{max-width:100%;height:auto}
`;

/** The admin stylesheet's text. */
export const ADMIN_STYLESHEET = CSS;

/** Where admin pages link it. */
export const ADMIN_STYLESHEET_PATH = `/assets/tessera-admin.${createHash('sha256').update(CSS).digest('hex').slice(0, 12)}.css`;
