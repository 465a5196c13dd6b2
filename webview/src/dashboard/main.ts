/** The training dashboard webview's entry (bundled to dist/webview-dashboard.js). */
import type { FromDashboard, ToDashboard } from '../../../server/src/protocol/worker';
import { byId } from '../common/dom';
import { acquireHost } from '../common/vscode-api';
import { DashboardApp, type DashboardState } from './app';

const host = acquireHost<FromDashboard, DashboardState>();
const app = new DashboardApp(host, byId('app'));
window.addEventListener('message', (e: MessageEvent<ToDashboard>) => app.handle(e.data));
