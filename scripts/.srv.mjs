import { createServer } from 'node:http';
const word = 'a'.repeat(10*1024*1024);
const words = 'lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(70_000);
const cjk='中文字符测试'.repeat(34_000);
function sse(text){const p=[];for(let i=0;i<text.length;i+=65536)p.push(`data: ${JSON.stringify({choices:[{index:0,delta:{content:text.slice(i,i+65536)}}]})}\n\n`);p.push('data: [DONE]\n\n');return Buffer.from(p.join(''));}
const j=(t)=>Buffer.from(JSON.stringify({choices:[{index:0,message:{role:'assistant',content:t}}]}));
const bodies={ws:sse(word), wj:j(word), ms:sse(words), mj:j(words), cs:sse(cjk), cj:j(cjk)};
const srv=createServer((req,res)=>{const k=req.url.split('/')[1];req.resume();req.on('end',()=>{res.writeHead(200,{'content-type':k.endsWith('s')?'text/event-stream':'application/json'});res.end(bodies[k]);});});
srv.listen(0,'127.0.0.1',()=>console.log(srv.address().port));
