import { createServer } from 'node:http';
import { performance, monitorEventLoopDelay } from 'node:perf_hooks';
import { RelayClient } from '../dist/client/index.js';
import { PriceTable } from '../dist/pricing/table.js';
import { resolveTargets } from '../dist/config/targets.js';
import { spawn } from 'node:child_process';
const child=spawn(process.execPath,['scripts/.srv.mjs'],{stdio:['ignore','pipe','inherit']});
const port=await new Promise(r=>child.stdout.once('data',d=>r(String(d).trim())));
let kind='ws';
const target={name:'t',baseUrl:'x',protocol:'openai',apiKey:null,apiKeyHeader:'authorization',headers:{},priceMultiplier:1,concurrency:8,timeouts:{connectMs:5000,firstTokenMs:30000,idleMs:30000,totalMs:120000},maxResponseBytes:16*1024*1024};
const client=new RelayClient(PriceTable.builtIn());
await client.prepare();
const h=monitorEventLoopDelay({resolution:5}); h.enable();
for (const k of (process.env.K||'ws,wj,ms,mj,cs,cj,ws,wj,ms,mj').split(',')) {
  kind=k; h.reset(); target.baseUrl=`http://127.0.0.1:${port}/${k}/v1`;
  const e0=performance.eventLoopUtilization(); const t0=performance.now();
  const r=await client.execute(target,{model:'gpt-4o',messages:[{role:'user',content:'hi'}],maxTokens:16,stream:k.endsWith('s')});
  const e=performance.eventLoopUtilization(e0);
  console.log(k, 'wall',(performance.now()-t0).toFixed(0),'busy',(e.active).toFixed(0),'maxdelay',(h.max/1e6).toFixed(0),'lat',r.latencyMs.toFixed(0), r.ok, r.localCountLimit, r.outputTokens);
}
await client.close(); child.kill();
