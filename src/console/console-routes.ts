// Where the web console lives on a web port. Kept apart from console-server.ts so the servers can
// recognise a console request without loading the console itself.
import type { IncomingMessage } from 'node:http';

export const CONSOLE_ROUTES = {
  /** The page, also answered at `/` to a browser (content negotiation, see wantsConsole). */
  page: '/console',
  /** Script, styles, uPlot. */
  assets: '/console/assets/',
  /** JSON views: api/v1/console/<view>. */
  api: '/api/v1/console/',
} as const;

/**
 * Whether a GET is for the console: its page, assets or views, or `/` asked for by a browser
 * (Accept: text/html). `/` for anything else keeps answering the process's JSON info.
 */
export function wantsConsole(req: IncomingMessage, pathname: string): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (pathname === '/') return (req.headers.accept ?? '').includes('text/html');
  return pathname === CONSOLE_ROUTES.page || pathname.startsWith(CONSOLE_ROUTES.assets) || pathname.startsWith(CONSOLE_ROUTES.api);
}
