import { askService } from '../environments/ask.js';
import { apiKeyShell, readEnvironmentKeys } from '../environments/service-env.js';
import { deployEnvironment } from './deploy.js';

const sampleQuestion = 'How do I export my data as a CSV file?';

/** `genai init --start`: deploys the first local environment and asks it a sample question. */
export async function startAndAsk(projectDir: string, shown: string, env: string, say: (line: string) => void) {
  const upResult = await deployEnvironment({ cwd: projectDir, env, onStep: say });
  const answer = await askService(upResult.url, sampleQuestion, readEnvironmentKeys(projectDir, env)?.apiKey);
  say('');
  say(`Q: ${sampleQuestion}`);
  say(`A: ${answer.answer}`);
  say(`Citations: ${answer.citations.map((c) => `${c.id} (${c.title})`).join(', ') || 'none'}`);
  say(`Trace: ${answer.traceId}`);
  say('');
  say(`${env} is running at ${upResult.url}. Ask more:`);
  say(
    `  curl -s ${upResult.url}/v1/answer -H "authorization: Bearer ${apiKeyShell(`${shown}/.genai/envs/${env}/keys.json`)}" -H 'content-type: application/json' -d '{"question":"How do I cancel my subscription?"}'`,
  );
  say(`Stop it and remove its data: cd ${shown} && npx genai destroy ${env}`);
  return { env, url: upResult.url, release: upResult.release, question: sampleQuestion, ...answer };
}
